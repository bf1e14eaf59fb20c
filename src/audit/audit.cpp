#include "audit/audit.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "analysis/addons.h"
#include "plan/plan.h"
#include "render/layout.h"

namespace zerospof::audit {

namespace {

namespace layout = render::layout;
using analysis::Component;

// The analysis's component for a unit apply runs (kwok stands in for the kubelet in the lab).
std::optional<Component> component_of(const std::string& unit) {
  static const std::map<std::string, Component> components{
      {layout::kEtcdUnit, Component::kEtcd},
      {layout::kApiserverUnit, Component::kApiserver},
      {layout::kSchedulerUnit, Component::kScheduler},
      {layout::kControllerManagerUnit, Component::kControllerManager},
      {layout::kHaproxyUnit, Component::kHaproxy},
      {layout::kKeepalivedUnit, Component::kKeepalived},
      {layout::kKubeletUnit, Component::kKubelet},
      {layout::kKwokUnit, Component::kKubelet},
      // The node's data plane: a runtime, proxy or kernel setting that is not running is judged
      // as its kubelet stopped, the nearest failure the analysis models (at worst: pods lost).
      {layout::kContainerdUnit, Component::kKubelet},
      {layout::kKubeProxyUnit, Component::kKubelet},
      {layout::kNodeKernelUnit, Component::kKubelet},
      // The lab's real pods: their images and their network between nodes.
      {layout::kLabImagesUnit, Component::kKubelet},
      {layout::kLabPodRoutesUnit, Component::kKubelet}};
  auto found = components.find(unit);
  if (found == components.end()) return std::nullopt;
  return found->second;
}

// Which components read a file render writes on a host: the ones that may not come back when they
// restart with the file as it is now. `whole_node`: the firewall, which can cut the host off.
// Empty and not whole_node: a file zerospof does not know the reader of (not judged).
// Kept beside component_of() because both translate render's bundle into analysis components.
// Render's index (render.h) names what each unit starts and its flags, but not the files a unit
// reads through its configuration or a kubeconfig (the CA, a kubelet's config), so the readers
// of a path are mapped here.
struct Readers {
  std::vector<Component> components;
  bool whole_node = false;
};

Readers readers_of(const std::string& path) {
  auto starts = [&](const std::string& prefix) { return path.rfind(prefix, 0) == 0; };
  auto ends = [&](const std::string& suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  const std::string pki = std::string(layout::kPkiDir) + "/";
  const std::string kubeconfigs = std::string(layout::kKubeconfigDir) + "/";
  if (path == layout::kNftablesConfig) return {.whole_node = true};
  if (starts(std::string(layout::kUnitDir) + "/")) {
    // A unit file, or a drop-in below UNIT.d/.
    std::string unit = path.substr(std::string(layout::kUnitDir).size() + 1);
    unit = unit.substr(0, unit.find(".d/"));
    if (unit == layout::kVipFitnessUnit) return {{Component::kKeepalived}};
    if (auto component = component_of(unit)) return {{*component}};
    return {};
  }
  if (path == layout::kHaproxyConfig) return {{Component::kHaproxy}};
  if (starts("/etc/keepalived/")) return {{Component::kKeepalived}};
  if (starts("/etc/containerd/") || ends("/kubelet-config.yaml") || ends("/kubelet.conf") ||
      ends("/kube-proxy-config.yaml") || ends("/kube-proxy.conf") ||
      path == layout::kKernelModulesConfig || path == layout::kSysctlConfig)
    return {{Component::kKubelet}};
  if (ends("/audit-policy.yaml")) return {{Component::kApiserver}};
  if (starts(kubeconfigs)) {
    if (ends("/scheduler.conf")) return {{Component::kScheduler}};
    if (ends("/controller-manager.conf")) return {{Component::kControllerManager}};
    return {};
  }
  if (starts(std::string(layout::kEtcdPkiDir) + "/")) {
    // The etcd CA also verifies etcd for the apiserver.
    if (ends("/ca.crt")) return {{Component::kEtcd, Component::kApiserver}};
    return {{Component::kEtcd}};
  }
  if (starts(pki)) {
    std::string file = path.substr(pki.size());
    if (file == "ca.crt")
      return {{Component::kApiserver, Component::kControllerManager, Component::kScheduler,
               Component::kKubelet}};
    if (file == "ca.key") return {{Component::kControllerManager}};
    if (file.rfind("kubelet-serving.", 0) == 0) return {{Component::kKubelet}};
    if (file == "sa.key") return {{Component::kApiserver, Component::kControllerManager}};
    return {{Component::kApiserver}};  // serving, etcd-client, kubelet-client, front-proxy, sa.pub
  }
  return {};
}

// check's name (Workload::display_name, "deployment/kube-system/coredns") of a workload the API
// or status describes by kind ("Deployment"), namespace and name.
template <typename Described>
std::string service_name(const Described& workload) {
  std::string kind = workload.kind;
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return fmt::format("{}/{}/{}", kind, workload.namespace_name, workload.name);
}

// The live workloads by kind, namespace and name: looked up once per workload, so a cluster of
// thousands costs no quadratic search.
class LiveIndex {
 public:
  explicit LiveIndex(const status::Observations& observed) {
    for (const auto& live : observed.api.workloads) by_name_[service_name(live)] = &live;
  }
  const observe::LiveWorkload* find(const model::Workload& workload) const {
    auto found = by_name_.find(workload.display_name());
    return found == by_name_.end() ? nullptr : found->second;
  }

 private:
  std::unordered_map<std::string, const observe::LiveWorkload*> by_name_;
};

// What has already failed, as scenarios the engine applies to every scenario.
void add_current_failures(const model::Cluster& plan, const status::Observations& observed,
                          const status::ClusterStatus& now, LiveModel& model) {
  std::set<std::pair<std::string, Component>> stopped;
  for (const auto& node : now.nodes) {
    if (node.health == status::Health::kDown) {
      model.options.down_nodes.push_back(node.name);
      model.notes.push_back(fmt::format("{} is down now: every scenario has it down", node.name));
      continue;
    }
    for (const auto& unit : node.units) {
      auto component = component_of(unit.unit);
      if (component && unit.active != "active") stopped.insert({node.name, *component});
    }
    if (!node.kubernetes_ready.empty() && node.kubernetes_ready != "True")
      stopped.insert({node.name, Component::kKubelet});
    // Readiness is asked over SSH: a host that did not answer says nothing of its apiserver.
    bool control = plan.find_node(node.name)->has_role(model::Role::kControlPlane);
    if (control && node.reachable &&
        std::count(observed.ready_apiservers.begin(), observed.ready_apiservers.end(), node.name) ==
            0)
      stopped.insert({node.name, Component::kApiserver});
  }
  // A member etcd no longer lists, or one that does not answer on a live host, is an etcd stopped.
  for (const auto* node : plan.nodes_with_role(model::Role::kEtcd)) {
    bool listed =
        observed.etcd.listed.empty() ||
        std::count(observed.etcd.listed.begin(), observed.etcd.listed.end(), node->name) != 0;
    bool answered = false;
    for (const auto& member : observed.etcd.members)
      answered |= member.node == node->name && member.answered && member.errors.empty();
    if (!listed || !answered) stopped.insert({node->name, Component::kEtcd});
  }
  for (const auto& [node, component] : stopped) {
    if (std::count(model.options.down_nodes.begin(), model.options.down_nodes.end(), node))
      continue;
    model.options.stopped.push_back({node, component});
    model.notes.push_back(fmt::format("{} is not running on {} now: every scenario has it stopped",
                                      analysis::to_string(component), node));
  }
}

// Each workload with the nodes of its ready pods: the engine counts what a scenario spares of
// them, and reschedules by the workload's own constraints. Pods that are not ready do not count.
void add_live_placement(const status::Observations& observed, LiveModel& model) {
  LiveIndex index(observed);
  for (auto& workload : model.manifests.workloads) {
    const observe::LiveWorkload* live = index.find(workload);
    if (live == nullptr) continue;
    // A selector of matchExpressions only places nothing here (see place_pods): such a workload
    // keeps check's placement by its constraints rather than being judged down.
    if (live->selector.empty()) continue;
    workload.observed_placement = live->ready_on;
    // A workload that wants pods and has none ready is down now: a node-less entry keeps it
    // judged as observed, not as the constraints' hoped-for placement. One that wants none (a
    // DaemonSet for nodes the cluster does not have) is left to check's rule.
    if (workload.observed_placement.empty()) {
      if (live->desired == 0) continue;
      workload.observed_placement[""] = 0;
    }
  }
}

// One text per object, named for the errors "<live> Deployment/NAMESPACE/NAME": each within the
// loader's input limits, however many objects the cluster has.
std::vector<plan::NamedText> objects_as_texts(const std::vector<std::string>& objects) {
  std::vector<plan::NamedText> texts;
  for (const auto& object : objects) {
    auto parsed = nlohmann::json::parse(object, nullptr, false);
    std::string name = "<live>";
    if (parsed.is_object())
      name = fmt::format("<live> {}/{}/{}", parsed.value("kind", ""),
                         parsed.value("/metadata/namespace"_json_pointer, std::string{}),
                         parsed.value("/metadata/name"_json_pointer, std::string{}));
    texts.push_back({name, object});
  }
  return texts;
}

// The services' worst verdict by name, over the scenarios analysed.
std::map<std::string, analysis::Health> worst_by_service(const analysis::Report& report) {
  std::map<std::string, analysis::Health> worst;
  for (size_t s = 0; s < report.services.size() && s < report.summaries.size(); ++s)
    worst[report.services[s].name] = report.summaries[s].worst;
  return worst;
}

void add_drift(const model::Cluster& plan, const status::Observations& observed,
               const AuditReport& report, const analysis::Report& planned,
               std::vector<Drift>& drifts) {
  auto planned_worst = worst_by_service(planned);
  auto live_worst = worst_by_service(report.live);
  // A service the cluster does not run at all is down there, whatever a failure does.
  auto verdict_of = [&](const std::string& service, Drift& drift) {
    auto before = planned_worst.find(service);
    auto after = live_worst.find(service);
    analysis::Health plan_health =
        before == planned_worst.end() ? analysis::Health::kOk : before->second;
    analysis::Health live_health =
        after == live_worst.end() ? analysis::Health::kDown : after->second;
    drift.changes_verdict = plan_health != live_health;
    if (drift.changes_verdict)
      drift.verdict =
          fmt::format("{}: worst verdict {} by the plan, {} live", service,
                      analysis::to_string(plan_health), analysis::to_string(live_health));
  };
  // The workloads zerospof deploys, replica for replica.
  LiveIndex index(observed);
  for (const auto& expected : analysis::deployed_addons(plan).workloads) {
    if (expected.kind == model::WorkloadKind::kDaemonSet) continue;
    const observe::LiveWorkload* live = index.find(expected);
    Drift drift;
    if (live == nullptr) {
      drift.what = fmt::format("{}: in the plan, not in the cluster", expected.display_name());
    } else if (live->desired != expected.replicas) {
      drift.what = fmt::format("{}: the plan runs {} replicas, the cluster {}",
                               expected.display_name(), expected.replicas, live->desired);
    } else {
      continue;
    }
    verdict_of(expected.display_name(), drift);
    drifts.push_back(std::move(drift));
  }
  // etcd members and nodes.
  for (const auto* node : plan.nodes_with_role(model::Role::kEtcd)) {
    if (observed.etcd.listed.empty() ||
        std::count(observed.etcd.listed.begin(), observed.etcd.listed.end(), node->name))
      continue;
    Drift drift{.what = fmt::format("etcd: the plan has a member on {}, etcd no longer lists it",
                                    node->name)};
    verdict_of("etcd", drift);
    drifts.push_back(std::move(drift));
  }
  for (const auto& member : observed.etcd.listed) {
    if (plan.find_node(member) != nullptr) continue;
    drifts.push_back({.what = fmt::format("etcd: member {} is not in the plan", member)});
  }
  if (observed.api.reachable) {
    for (const auto& live : observed.api.nodes)
      if (plan.find_node(live.name) == nullptr)
        drifts.push_back({.what = fmt::format("node {} is in the cluster, not in the plan (not "
                                              "analysed: its pods count on no failure domain)",
                                              live.name)});
  }
}

// A file that differs from the rendered one takes effect when its reader restarts, and nobody has
// seen that reader start with it. Judged at its worst: the readers on that host do not come back
// (the firewall: the host is cut off). The verdict changes when that, on top of what has failed
// now, changes a service's worst verdict over the scenarios analysed. One analysis per host, at
// most kJudgedHosts hosts (each costs a full analysis on a large cluster).
constexpr std::size_t kJudgedHosts = 16;

void add_file_drift(const LiveModel& model, AuditReport& report,
                    const std::map<std::string, std::vector<std::string>>& files_differing) {
  auto live_worst = worst_by_service(report.live);
  std::size_t judged_hosts = 0;
  for (const auto& [host, paths] : files_differing) {
    if (paths.empty()) continue;
    analysis::Options options = model.options;
    bool whole_node = false;
    std::set<Component> readers;
    for (const auto& path : paths) {
      Readers found = readers_of(path);
      whole_node |= found.whole_node;
      readers.insert(found.components.begin(), found.components.end());
    }
    std::string judged;
    std::vector<std::string> changed;
    bool already_down = std::count(options.down_nodes.begin(), options.down_nodes.end(), host) != 0;
    if (already_down) {
      judged = fmt::format("not judged: {} is down now", host);
    } else if (!whole_node && readers.empty()) {
      judged = "not judged: zerospof does not know which component reads it";
    } else if (++judged_hosts > kJudgedHosts) {
      judged = fmt::format("not judged: more than {} hosts differ", kJudgedHosts);
    } else {
      std::vector<std::string> names;
      if (whole_node) {
        options.down_nodes.push_back(host);
        names.push_back("its firewall cuts it off");
      } else {
        for (Component component : readers) {
          options.stopped.push_back({host, component});
          names.push_back(analysis::to_string(component));
        }
      }
      auto worst = worst_by_service(analysis::analyse(model.cluster, model.manifests, options));
      for (const auto& [service, health] : worst) {
        auto now = live_worst.find(service);
        if (now != live_worst.end() && now->second != health)
          changed.push_back(fmt::format("{} worst {} now, {} then", service,
                                        analysis::to_string(now->second),
                                        analysis::to_string(health)));
      }
      std::string if_clause = whole_node ? fmt::format("if {}'s firewall cuts it off", host)
                                         : fmt::format("if {} on {} cannot start with it",
                                                       fmt::join(names, ", "), host);
      judged = changed.empty() ? if_clause + ": no service's verdict changes"
                               : if_clause + ": " + fmt::format("{}", fmt::join(changed, "; "));
    }
    for (const auto& path : paths)
      report.drifts.push_back(
          {.what = fmt::format("{}:{} differs from the rendered file or is missing", host, path),
           .changes_verdict = !changed.empty(),
           .verdict = judged +
                      "; the file takes effect when its reader restarts, `zerospof apply` puts "
                      "the rendered one back"});
  }
}

void add_scheduled_failures(const model::Cluster& plan, const status::Observations& observed,
                            double window_days, std::vector<ScheduledFailure>& scheduled) {
  auto control = plan.nodes_with_role(model::Role::kControlPlane);
  std::map<std::string, ScheduledFailure> by_path;
  std::map<std::string, std::set<std::string>> holders;
  for (const auto& host : observed.hosts) {
    if (!plan.find_node(host.node) ||
        !plan.find_node(host.node)->has_role(model::Role::kControlPlane))
      continue;
    for (const auto& certificate : host.certificates) {
      holders[certificate.path].insert(host.node);
      double days = (static_cast<double>(certificate.not_after) - observed.now) / 86400.0;
      if (days > window_days) continue;
      auto& entry = by_path[certificate.path];
      entry.path = certificate.path;
      entry.days_left = entry.nodes.empty() ? days : std::min(entry.days_left, days);
      entry.nodes.push_back(host.node);
    }
  }
  for (auto& [path, entry] : by_path)
    if (entry.nodes.size() == control.size() && holders[path].size() == control.size())
      scheduled.push_back(entry);
}

}  // namespace

bool AuditReport::any_single_point() const { return live.any_down(); }

util::Result<LiveModel> live_model(const model::Cluster& plan, const status::Observations& observed,
                                   const status::ClusterStatus& now, int failures) {
  LiveModel model;
  model.cluster = plan;
  model.options.failures = failures;
  model.options.rendered_addons = false;
  add_current_failures(plan, observed, now, model);
  ZEROSPOF_ASSIGN_OR_RETURN(
      model.manifests, plan::load_manifests_from_strings(objects_as_texts(observed.api.objects)));
  add_live_placement(observed, model);
  for (const auto& missing : observed.api.partial)
    model.notes.push_back("not analysed, the list failed: " + missing);
  model.notes.push_back(
      "workloads are where their ready pods are now: a scenario spares the pods on the nodes it "
      "spares; after recovery they are rescheduled by their own constraints (as check does)");
  return model;
}

util::Result<AuditReport> audit(const model::Cluster& plan, const status::Observations& observed,
                                const AuditOptions& options) {
  AuditReport report;
  report.failures = options.failures;
  report.now = status::assess(plan, observed,
                              {.certificate_warning_days = options.certificate_warning_days});
  if (report.now.unreachable) return report;
  if (!observed.api.reachable)
    return util::fail(util::Error::unavailable(fmt::format(
        "the Kubernetes API does not answer ({}), so the live workloads are unknown; zerospof "
        "status PLAN shows what does answer",
        observed.api.error)));
  ZEROSPOF_ASSIGN_OR_RETURN(LiveModel model,
                            live_model(plan, observed, report.now, options.failures));
  report.live = analysis::analyse(model.cluster, model.manifests, model.options);
  report.notes = model.notes;
  analysis::Options planned_options;
  planned_options.failures = options.failures;
  analysis::Report planned = analysis::analyse(plan, {}, planned_options);
  // Per service: what it is now, what it tolerates, and what takes it down.
  std::unordered_map<std::string, std::string> workload_now;
  for (const auto& workload : report.now.workloads)
    workload_now[service_name(workload)] =
        workload.detail.substr(0, workload.detail.rfind(", tolerates"));
  for (size_t s = 0; s < report.live.services.size() && s < report.live.summaries.size(); ++s) {
    const auto& service = report.live.services[s];
    const auto& summary = report.live.summaries[s];
    Tolerance tolerance{.service = service.name};
    for (const auto& component : report.now.components)
      if (component.name == service.name ||
          (component.name == "apiservers" && service.name == "kube-apiserver") ||
          (component.name == "endpoint" && service.name == "api-endpoint"))
        tolerance.now = component.detail;
    if (auto found = workload_now.find(service.name); found != workload_now.end())
      tolerance.now = found->second;
    if (summary.worst == analysis::Health::kDown) {
      tolerance.tolerates = std::max(summary.scenario.failure_count - 1, 0);
      tolerance.takes_it_down = fmt::format("{}: {}", report.live.scenario_name(summary.scenario),
                                            report.live.reason_text(summary.first_verdict));
    } else {
      tolerance.tolerates = options.failures;
      tolerance.at_least = true;
    }
    report.tolerances.push_back(std::move(tolerance));
  }
  add_drift(plan, observed, report, planned, report.drifts);
  if (!options.files_differing) {
    report.notes.push_back(
        "drift from the rendered files not compared (give --render-dir, the directory "
        "`zerospof render` wrote)");
  } else {
    add_file_drift(model, report, *options.files_differing);
  }
  add_scheduled_failures(plan, observed, options.certificate_warning_days, report.scheduled);
  return report;
}

int exit_code(const AuditReport& report) {
  if (report.now.unreachable) return 4;
  return report.any_single_point() || !report.scheduled.empty() ||
                 !report.now.stuck_attachments.empty()
             ? 1
             : 0;
}

}  // namespace zerospof::audit
