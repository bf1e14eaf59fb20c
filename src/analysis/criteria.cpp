#include "analysis/criteria.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "analysis/addons.h"
#include "analysis/findings.h"

namespace zerospof::analysis {

namespace {

using Result = Criterion::Result;

std::string list_some(const std::vector<std::string>& names, size_t shown = 4) {
  if (names.size() <= shown) return fmt::format("{}", fmt::join(names, ", "));
  std::vector<std::string> head(names.begin(), names.begin() + shown);
  return fmt::format("{} and {} more", fmt::join(head, ", "), names.size() - shown);
}

Criterion redundancy(const model::Cluster& cluster, const Engine& engine) {
  std::vector<std::string> lacking;
  size_t etcd = cluster.nodes_with_role(model::Role::kEtcd).size();
  size_t control = cluster.nodes_with_role(model::Role::kControlPlane).size();
  if (etcd < 3) lacking.push_back(fmt::format("etcd has {} member(s), needs 3", etcd));
  if (etcd >= 3 && etcd % 2 == 0)
    lacking.push_back(fmt::format("etcd has an even {} members: one more adds no tolerance", etcd));
  if (control < 2)
    lacking.push_back(
        fmt::format("{} control-plane node(s): apiserver, scheduler and "
                    "controller-manager need at least 2",
                    control));
  size_t holders = engine.control_plane().vip_holders().size();
  if (cluster.endpoint.mode == model::EndpointMode::kVip && holders < 2)
    lacking.push_back(fmt::format("only {} control-plane node(s) on the VIP's segment", holders));
  Criterion criterion{"All control plane components have redundancy", Result::kPass, ""};
  if (!lacking.empty()) {
    criterion.result = Result::kFail;
    criterion.reason = fmt::format("{}", fmt::join(lacking, "; "));
  } else {
    criterion.reason = fmt::format(
        "{} etcd members, {} apiservers, schedulers and controller-managers{}", etcd, control,
        cluster.endpoint.mode == model::EndpointMode::kVip
            ? fmt::format(", {} VIP holders", holders)
            : ", a local proxy on every node");
  }
  return criterion;
}

Criterion etcd_quorum(const model::Cluster& cluster, const Engine& engine) {
  int members = static_cast<int>(cluster.nodes_with_role(model::Role::kEtcd).size());
  int quorum = members / 2 + 1;
  int worst = 0;
  std::string worst_domain;
  auto count_members = [&](const Domain& domain, const std::string& name) {
    int here = static_cast<int>(std::count_if(domain.nodes.begin(), domain.nodes.end(), [&](int n) {
      return cluster.nodes[n].has_role(model::Role::kEtcd);
    }));
    if (here > worst) worst = here, worst_domain = name;
  };
  for (const Domain& domain : engine.topology().domains()) count_members(domain, domain.name);
  // A power feed is one failure too: members that share one fail together.
  for (const Domain& feed : engine.topology().power_feeds())
    count_members(feed, "power feed " + feed.name);
  Criterion criterion{"etcd cluster maintains quorum with 1 node down", Result::kPass, ""};
  if (members - worst < quorum) {
    criterion.result = Result::kFail;
    criterion.reason = fmt::format("with {} down, {} of {} members are left and quorum needs {}",
                                   worst_domain, members - worst, members, quorum);
  } else {
    criterion.reason =
        fmt::format("any single {}{} down leaves at least {} of {} members (quorum {})",
                    engine.topology().zones() ? "zone" : "node",
                    engine.topology().power_feeds().empty() ? "" : " or power feed",
                    members - worst, members, quorum);
  }
  return criterion;
}

// Single-domain scenarios are enumerated first, so a service that any of them takes down has
// one of them as its first failing scenario.
Criterion single_failures(const Report& report) {
  std::vector<std::string> broken;
  for (size_t s = 0; s < report.summaries.size(); ++s) {
    const ServiceSummary& summary = report.summaries[s];
    if (summary.worst != Health::kDown || summary.scenario.kind != ScenarioKind::kDomainsDown ||
        summary.scenario.failure_count != 1)
      continue;
    broken.push_back(
        fmt::format("{} ({})", report.services[s].name, report.scenario_name(summary.scenario)));
  }
  Criterion criterion{"Services continue operating with any single node failure", Result::kPass,
                      "no service goes down when any one failure domain is lost"};
  if (!broken.empty()) {
    criterion.result = Result::kFail;
    criterion.reason = "down: " + list_some(broken);
  }
  return criterion;
}

Criterion storage_integrity(const model::Cluster& cluster, const Report& report) {
  Criterion criterion{"Storage maintains data integrity with node failures", Result::kPass, ""};
  const model::Storage& storage = cluster.storage;
  int nodes = static_cast<int>(storage_nodes(cluster).size());
  if (storage.provider == model::StorageProvider::kNone) {
    criterion.result = Result::kFail;
    criterion.reason = "no replicated storage: a volume lives on one node and dies with it";
  } else if (storage.replicas < 2) {
    criterion.result = Result::kFail;
    criterion.reason = "1 replica per volume: losing its node loses the data";
  } else if (nodes < storage.replicas) {
    criterion.result = Result::kFail;
    criterion.reason = fmt::format(
        "{} replicas but only {} storage nodes: volumes never get all "
        "their replicas",
        storage.replicas, nodes);
  } else {
    criterion.reason = fmt::format(
        "{} replicas per volume on {} storage nodes; any {} node loss "
        "leaves a replica",
        storage.replicas, nodes, storage.replicas - 1);
  }
  (void)report;
  return criterion;
}

Criterion health_checks(const model::Manifests& all) {
  std::vector<std::string> missing;
  for (const model::Workload& workload : all.workloads)
    if (!workload.has_readiness_probe || !workload.has_liveness_probe)
      missing.push_back(
          fmt::format("{} (no {})", workload.display_name(),
                      !workload.has_readiness_probe ? "readinessProbe" : "livenessProbe"));
  Criterion criterion{
      "All services have proper health checks", Result::kPass,
      fmt::format("all {} workloads have readiness and liveness probes", all.workloads.size())};
  if (!missing.empty()) {
    criterion.result = Result::kFail;
    criterion.reason = list_some(missing);
  }
  return criterion;
}

Criterion disruption_budgets(const model::Manifests& all) {
  std::vector<std::string> uncovered, blocking;
  const std::vector<std::vector<int>> budgets = budgets_by_workload(all);
  for (std::size_t w = 0; w < all.workloads.size(); ++w) {
    const model::Workload& workload = all.workloads[w];
    if (workload.kind == model::WorkloadKind::kDaemonSet || workload.replicas == 0) continue;
    // Several budgets on one pod (the eviction API then refuses every eviction): the last
    // one written is the one named.
    const model::DisruptionBudget* budget =
        budgets[w].empty() ? nullptr : &all.budgets[budgets[w].back()];
    if (budget == nullptr) {
      uncovered.push_back(workload.display_name());
    } else if (budget->allowed_disruptions(workload.replicas) == 0) {
      blocking.push_back(fmt::format("{} (PDB {})", workload.display_name(), budget->name));
    }
  }
  Criterion criterion{
      "Pod disruption budgets prevent service outages", Result::kPass,
      "every replicated workload has a PodDisruptionBudget that still allows drains"};
  std::vector<std::string> problems;
  if (!uncovered.empty()) problems.push_back("no PDB: " + list_some(uncovered));
  if (!blocking.empty()) problems.push_back("PDB blocks every eviction: " + list_some(blocking));
  if (!problems.empty()) {
    criterion.result = Result::kFail;
    criterion.reason = fmt::format("{}", fmt::join(problems, "; "));
  }
  return criterion;
}

void plan_notes(const model::Cluster& cluster, const Engine& engine,
                std::vector<std::string>& notes) {
  std::vector<std::string> unaddressed, assumed;
  for (const model::Node& node : cluster.nodes) {
    if (!node.address)
      unaddressed.push_back(node.name);
    else if (!node.address_prefix_given)
      assumed.push_back(node.name);
  }
  bool vip = cluster.endpoint.mode == model::EndpointMode::kVip;
  auto control = cluster.nodes_with_role(model::Role::kControlPlane);
  bool control_unaddressed =
      std::any_of(control.begin(), control.end(), [](const model::Node* n) { return !n->address; });
  if (vip && control_unaddressed)
    notes.push_back(
        "endpoint: a VRRP VIP moves only within one L2 segment, so every "
        "control-plane node must share the VIP's subnet; the plan gives no addresses "
        "for some of them, so this could not be checked. If they are in different "
        "networks (e.g. cloud servers), use endpoint.mode: local-proxy");
  if (vip && engine.control_plane().vip_holders().size() < control.size())
    notes.push_back(
        fmt::format("endpoint: only {} of {} control-plane nodes are on the VIP's "
                    "subnet; the others run apiservers but can never hold the VIP",
                    engine.control_plane().vip_holders().size(), control.size()));
  if (!vip)
    notes.push_back(
        "endpoint: local-proxy mode: every node reaches the apiservers through its "
        "own HAProxy on 127.0.0.1; no shared L2 segment is needed");
  if (!unaddressed.empty())
    notes.push_back("nodes without a cluster address: " + list_some(unaddressed, 5) +
                    " (needed by render and apply)");
  if (!assumed.empty())
    notes.push_back("address prefix assumed /24 (IPv4) or /64 (IPv6) for: " +
                    list_some(assumed, 5));
  if (std::any_of(cluster.nodes.begin(), cluster.nodes.end(),
                  [](const auto& n) { return !n.capacity; }))
    notes.push_back(
        "capacity: not every node gives spec.nodes[].capacity, so requests were not "
        "checked against what the surviving nodes can hold");
  notes.push_back(
      "data path (users notice at once): api-endpoint, storage, bgp, coredns, ingress "
      "and workloads behind a Service; controllers (scheduler, controller-manager, "
      "operators) are only degraded while they are re-elected or rescheduled");
}

// A workload whose PriorityClass was not among the objects read is judged at priority 0; which
// ones, so that a capacity verdict is not taken for more than it is.
void priority_notes(const model::Manifests& all, std::vector<std::string>& notes) {
  std::vector<std::string> unknown;
  for (const model::Workload& workload : all.workloads)
    if (!workload.priority_known)
      unknown.push_back(fmt::format("{} ({})", workload.display_name(), workload.priority_class));
  if (!unknown.empty())
    notes.push_back("priority: the PriorityClass of " + list_some(unknown, 5) +
                    " is not among the objects read, so it was judged at priority 0; give its "
                    "manifest to --manifests");
}

// Every kind read and not judged is named: one note per kind that might change what fails, one
// line for the inert rest, at most kListedKinds kinds each.
void unmodelled_notes(const model::Manifests& all, std::vector<std::string>& notes) {
  constexpr std::size_t kListedKinds = 20;
  auto named = [](const model::UnmodelledKind& kind) {
    return kind.api_version.empty() || kind.api_version == "v1"
               ? kind.kind
               : fmt::format("{} ({})", kind.kind, kind.api_version);
  };
  std::size_t listed = 0, unlisted = 0;
  std::string inert;
  for (const model::UnmodelledKind& kind : all.unmodelled) {
    if (kind.inert) {
      inert += fmt::format("{}{} {}", inert.empty() ? "" : ", ", kind.count, named(kind));
      continue;
    }
    if (listed++ >= kListedKinds) {
      ++unlisted;
      continue;
    }
    notes.push_back(fmt::format(
        "{}: not modelled, judged as if absent: {} {} (what they run or route is not part of "
        "any verdict)",
        kind.first.to_string(), kind.count, named(kind)));
  }
  if (unlisted > 0) notes.push_back(fmt::format("not modelled either: {} more kinds", unlisted));
  if (!inert.empty()) notes.push_back("read, no effect on what a failure takes down: " + inert);
}

void manifest_notes(const model::Manifests& all, std::vector<std::string>& notes) {
  unmodelled_notes(all, notes);
  priority_notes(all, notes);
  for (const model::Workload& workload : all.workloads) {
    if (workload.deployed_by_zerospof || workload.kind == model::WorkloadKind::kDaemonSet) continue;
    // Unset replicas and unspread ones are findings (replica_placement_rule.cpp).
    std::string where = workload.where.to_string();
    if (workload.kind == model::WorkloadKind::kStatefulSet)
      notes.push_back(
          fmt::format("{}: {} is a StatefulSet: pods on a dead node are not replaced "
                      "until the node is deleted or tainted out-of-service",
                      where, workload.display_name()));
  }
  for (const model::KubeService& service : all.services) {
    if (service.selector.empty()) continue;
    model::LabelSelector selector{service.selector, {}};
    bool backed = std::any_of(all.workloads.begin(), all.workloads.end(), [&](const auto& w) {
      return w.namespace_name == service.namespace_name && selector.matches(w.pod_labels);
    });
    if (!backed)
      notes.push_back(fmt::format("{}: Service {}/{} selects no workload of the given manifests",
                                  service.where.to_string(), service.namespace_name, service.name));
  }
}

}  // namespace

void judge_criteria(const model::Cluster& cluster, const model::Manifests& all,
                    const Engine& engine, Report& report) {
  report.criteria.push_back(redundancy(cluster, engine));
  report.criteria.push_back(etcd_quorum(cluster, engine));
  report.criteria.push_back(single_failures(report));
  report.criteria.push_back(storage_integrity(cluster, report));
  report.criteria.push_back({"Zero data loss in all failover scenarios", Result::kNotJudged,
                             "judged by `zerospof drill` (linearizability of recorded histories)"});
  report.criteria.push_back({"Automatic recovery when nodes come back online", Result::kNotJudged,
                             "judged by `zerospof drill` (recovery after heal)"});
  report.criteria.push_back(health_checks(all));
  report.criteria.push_back(disruption_budgets(all));
  plan_notes(cluster, engine, report.notes);
  manifest_notes(all, report.notes);
}

}  // namespace zerospof::analysis
