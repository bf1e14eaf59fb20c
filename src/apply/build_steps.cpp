// build_steps: the phases of an apply as one graph. Implementation note: each phase depends on
// the "barrier" ids of the phase before it (e.g. every apiserver waits for etcd/healthy), never
// on everything before, so hosts progress independently within a phase. Services roll: a unit
// starts on a host only once the same unit on the host before it is back (an apiserver: ready
// again), so a re-apply that changes every file of every host (a certificate reissue) never has
// two instances of one service away at once (docs/apply.md, "Re-apply, rolling").
#include "apply/build_steps.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "apply/steps.h"
#include "render/layout.h"

namespace zerospof::apply {
namespace {

namespace layout = render::layout;

const std::set<std::string> kControllerUnits{layout::kControllerManagerUnit,
                                             layout::kSchedulerUnit};
const std::set<std::string> kEndpointUnits{layout::kHaproxyUnit, layout::kVipFitnessUnit,
                                           layout::kKeepalivedUnit};
// Debian's units whose reload takes a new configuration in place (see ServiceSpec).
const std::set<std::string> kReloadedUnits{layout::kHaproxyUnit, layout::kKeepalivedUnit,
                                           layout::kNftablesUnit};

// The units a host runs, by name, from render's index (zerospof's own, then the endpoint
// packages' it configures); the firewall has its own step.
std::vector<std::string> units_of(const render::HostEntry& host) {
  std::vector<std::string> units;
  for (const auto& unit : host.units) units.push_back(unit.unit);
  return units;
}

// Everything known about one host while building.
struct HostPlan {
  std::string name;
  std::vector<transport::FileSpec> files;
  render::HostEntry index;  // what render says runs there
  std::vector<Binary> binaries;
  std::string digest;
  Ids ready;  // its files and binaries are in place
};

class Builder {
 public:
  explicit Builder(const ApplyInputs& inputs)
      : inputs_(inputs), contents_(std::make_shared<BinaryContents>()) {}

  util::Result<StepGraph> build() {
    ZEROSPOF_RETURN_IF_ERROR(
        binaries::check_binary_versions(inputs_.binaries, inputs_.cluster.kubernetes.version));
    for (const auto& node : inputs_.cluster.nodes) ZEROSPOF_RETURN_IF_ERROR(add_host(node.name));
    ZEROSPOF_RETURN_IF_ERROR(add_operator_files());
    ZEROSPOF_ASSIGN_OR_RETURN(Ids etcd, add_etcd());
    ZEROSPOF_ASSIGN_OR_RETURN(Ids api_ready, add_apiservers(etcd));
    ZEROSPOF_ASSIGN_OR_RETURN(Ids controllers, add_services(is_controller, api_ready));
    ZEROSPOF_ASSIGN_OR_RETURN(Ids endpoint, add_endpoint(api_ready));
    Ids endpoint_ready = join(endpoint, controllers);
    bool api = !admin_kubeconfig_.empty() && !api_ready.empty();
    if (api) {
      ZEROSPOF_ASSIGN_OR_RETURN(
          endpoint_ready, add_operator_wait("endpoint/ready", "the API endpoint answers /readyz",
                                            kubectl("get --raw /readyz"),
                                            join(join(endpoint, controllers), api_ready)));
    }
    ZEROSPOF_ASSIGN_OR_RETURN(Ids agents, add_services(is_node_agent, endpoint_ready));
    ZEROSPOF_RETURN_IF_ERROR(add_retirement(join(join(agents, endpoint_ready), etcd)));
    if (!api) return std::move(graph_);
    ZEROSPOF_ASSIGN_OR_RETURN(Ids addons, add_addons(endpoint_ready));
    ZEROSPOF_RETURN_IF_ERROR(add_verification(controllers, join(agents, endpoint_ready), addons));
    return std::move(graph_);
  }

 private:
  static bool is_apiserver(const std::string& unit) { return unit == layout::kApiserverUnit; }
  static bool is_controller(const std::string& unit) { return kControllerUnits.count(unit) != 0; }
  static bool is_endpoint(const std::string& unit) { return kEndpointUnits.count(unit) != 0; }
  static bool is_node_agent(const std::string& unit) {
    return unit != layout::kEtcdUnit && !is_apiserver(unit) && !is_controller(unit) &&
           !is_endpoint(unit);
  }

  // The unit that makes its host a Kubernetes node: kubelet, or kwok in the lab.
  static bool is_node(const std::string& unit) {
    return unit == layout::kKubeletUnit || unit == layout::kKwokUnit;
  }

  static Ids join(Ids a, const Ids& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  util::Status add_host(const std::string& name) {
    HostPlan host{.name = name, .files = host_files(inputs_.bundle, name)};
    if (host.files.empty()) return {};
    if (const auto* entry = inputs_.bundle.index.find(name)) host.index = *entry;
    if (auto missing = binaries_missing_from_cache(host.index.programs(), inputs_.binaries);
        !missing.empty())
      return util::fail(util::Error::failed_precondition(
          fmt::format("{} starts {} from {}, which the binary cache does not hold", name,
                      fmt::join(missing, ", "), layout::kBinDir),
          "zerospof fetch PLAN downloads the pinned official releases into the cache and "
          "verifies them (--binaries DIR for another cache; docs/fetch.md); lab/binaries/build.sh "
          "fills the lab's only with what the lab runs"));
    host.binaries = binaries_for(host.index.programs(), inputs_.binaries);
    host.digest = inputs_digest(host.files, host.binaries);
    ZEROSPOF_ASSIGN_OR_RETURN(std::string prepared, add_preparation_step(graph_, name));
    std::vector<transport::FileSpec> pki, config;
    for (auto& file : host.files) (layout::is_pki_path(file.path) ? pki : config).push_back(file);
    if (!pki.empty()) {
      ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_files_step(graph_, "pki", name, pki, {prepared}));
      host.ready.push_back(id);
    }
    if (!config.empty()) {
      ZEROSPOF_ASSIGN_OR_RETURN(auto id,
                                add_files_step(graph_, "config", name, config, {prepared}));
      host.ready.push_back(id);
    }
    ZEROSPOF_ASSIGN_OR_RETURN(Ids binaries,
                              add_binary_steps(graph_, name, host.binaries, contents_, {prepared}));
    host.ready = join(host.ready, binaries);
    for (const auto& file : host.files) {
      // The host firewall comes up with the host's files, before any service listens.
      if (file.path != layout::kNftablesConfig) continue;
      ServiceSpec spec{.unit = layout::kNftablesUnit,
                       .digest = host.digest,
                       .wait = inputs_.wait,
                       .reload_in_place = true};
      // Rolling like every service: a firewall that shuts a port its host needs cuts one host.
      Ids deps = host.ready;
      if (!last_firewall_.empty()) deps.push_back(last_firewall_);
      ZEROSPOF_ASSIGN_OR_RETURN(last_firewall_, add_service_step(graph_, name, spec, deps));
      host.ready.push_back(last_firewall_);
    }
    hosts_.push_back(std::move(host));
    return {};
  }

  // Files of the operator's machine go below operator_dir, never over its own /etc.
  util::Status add_operator_files() {
    auto files = host_files(inputs_.bundle, "");
    if (files.empty()) return {};
    for (auto& file : files) {
      file.path = inputs_.operator_dir + file.path;
      std::string name = std::filesystem::path(file.path).filename().string();
      if (name.rfind("admin", 0) == 0 && file.path.find("kubeconfig") != std::string::npos) {
        admin_kubeconfig_ = file.path;
      }
      has_manifests_ = has_manifests_ || file.path.find(layout::kManifestDir) != std::string::npos;
    }
    ZEROSPOF_ASSIGN_OR_RETURN(operator_files_,
                              add_files_step(graph_, "operator-files", "", files, {}));
    return {};
  }

  // Members restart one after another (each quorum-aware, see etcd_restart_script), then the
  // cluster must show every member started, voting and healthy.
  util::Result<Ids> add_etcd() {
    Ids members;
    const HostPlan* first = nullptr;
    for (const auto& host : hosts_) {
      if (!has_unit(host, layout::kEtcdUnit)) continue;
      if (first == nullptr) {
        ZEROSPOF_ASSIGN_OR_RETURN(access_, etcd_access(inputs_.cluster, inputs_.bundle));
        first = &host;
      }
      ServiceSpec spec{.unit = layout::kEtcdUnit,
                       .digest = host.digest,
                       .wait = inputs_.wait,
                       .restart = etcd_restart_script(access_, endpoint_of(access_, host.name),
                                                      layout::kEtcdUnit)};
      Ids deps = members.empty() ? host.ready : join(host.ready, {members.back()});
      ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_service_step(graph_, host.name, spec, deps));
      members.push_back(id);
    }
    if (first == nullptr) return Ids{};
    ZEROSPOF_ASSIGN_OR_RETURN(
        auto healthy,
        add_wait_step(graph_, "etcd/healthy", first->name,
                      fmt::format("etcd: {} voting members, all healthy", members.size()),
                      etcd_healthy_probe(access_, members.size()), inputs_.wait, members));
    return Ids{healthy};
  }

  static bool has_unit(const HostPlan& host, const std::string& unit) {
    for (const auto& found : units_of(host.index)) {
      if (found == unit) return true;
    }
    return false;
  }

  // Each wanted unit on every host that has it, rolling: on each host after the same unit on
  // the host before (see the top of this file).
  util::Result<Ids> add_services(const std::function<bool(const std::string&)>& wanted,
                                 const Ids& after) {
    Ids ids;
    std::map<std::string, std::string> previous;  // unit -> its step on the last host
    for (const auto& host : hosts_) {
      for (const auto& unit : units_of(host.index)) {
        if (!wanted(unit)) continue;
        ServiceSpec spec{.unit = unit,
                         .digest = host.digest,
                         .wait = inputs_.wait,
                         .reload_in_place = kReloadedUnits.count(unit) != 0};
        Ids deps = join(host.ready, after);
        if (auto found = previous.find(unit); found != previous.end())
          deps.push_back(found->second);
        ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_service_step(graph_, host.name, spec, deps));
        previous[unit] = id;
        ids.push_back(id);
      }
    }
    return ids;
  }

  // Once the new bundle runs everywhere (the endpoint answers, every agent started): what earlier
  // applies installed and this bundle no longer has goes, host after host.
  util::Status add_retirement(const Ids& after) {
    std::string previous;
    for (const auto& host : hosts_) {
      std::vector<std::string> units = units_of(host.index), paths;
      for (const auto& file : host.files) {
        paths.push_back(file.path);
        if (file.path == layout::kNftablesConfig) units.push_back(layout::kNftablesUnit);
      }
      Ids deps = after;
      if (!previous.empty()) deps.push_back(previous);
      ZEROSPOF_ASSIGN_OR_RETURN(previous, add_retire_step(graph_, host.name, units, paths, deps));
    }
    return {};
  }

  // HAProxy first, then the fitness service that reads HAProxy's view, then keepalived that
  // reads the fitness: each rolls over the hosts before the next begins.
  util::Result<Ids> add_endpoint(const Ids& after) {
    Ids all, previous = after;
    for (const char* unit :
         {layout::kHaproxyUnit, layout::kVipFitnessUnit, layout::kKeepalivedUnit}) {
      ZEROSPOF_ASSIGN_OR_RETURN(
          Ids started,
          add_services([unit](const std::string& each) { return each == unit; }, previous));
      if (started.empty()) continue;
      all = join(all, started);
      previous = join(after, {started.back()});
    }
    return all;
  }

  std::string kubectl(const std::string& arguments) const {
    return fmt::format("{} --kubeconfig={} --request-timeout=5s {}",
                       transport::shell_quote(inputs_.kubectl),
                       transport::shell_quote(admin_kubeconfig_), arguments);
  }

  util::Result<Ids> add_operator_wait(const std::string& id, const std::string& summary,
                                      const std::string& probe, Ids deps,
                                      const std::string& explain = "") {
    if (!operator_files_.empty()) deps.push_back(operator_files_);
    ZEROSPOF_ASSIGN_OR_RETURN(
        auto added, add_wait_step(graph_, id, "", summary, probe, inputs_.wait, deps, explain));
    return Ids{added};
  }

  // Apiservers one after another, each answering /readyz on its own host before the next
  // (re)starts: HAProxy then always has the others to send requests to. Asked with the host's
  // own scheduler or controller-manager kubeconfig (the firewall admits only the nodes to an
  // apiserver's port); a host without one is waited for by its unit's start only.
  util::Result<Ids> add_apiservers(const Ids& etcd) {
    Ids ready;
    std::string previous;
    for (const auto& host : hosts_) {
      if (!has_unit(host, layout::kApiserverUnit)) continue;
      ServiceSpec spec{.unit = layout::kApiserverUnit, .digest = host.digest, .wait = inputs_.wait};
      Ids deps = join(host.ready, etcd);
      if (!previous.empty()) deps.push_back(previous);
      ZEROSPOF_ASSIGN_OR_RETURN(previous, add_service_step(graph_, host.name, spec, deps));
      if (std::string kubeconfig = local_kubeconfig(host); !kubeconfig.empty()) {
        std::string probe =
            fmt::format("{} --kubeconfig={} --request-timeout=5s get --raw /readyz >/dev/null 2>&1",
                        layout::binary_path("kubectl"), transport::shell_quote(kubeconfig));
        ZEROSPOF_ASSIGN_OR_RETURN(
            previous,
            add_wait_step(graph_, "apiserver/ready@" + host.name, host.name,
                          "the apiserver answers /readyz", probe, inputs_.wait, {previous}));
      }
      ready.push_back(previous);
    }
    return ready;
  }

  static std::string local_kubeconfig(const HostPlan& host) {
    for (const auto& unit : host.index.units) {
      if (kControllerUnits.count(unit.unit) == 0) continue;
      if (auto found = unit.flags.find("kubeconfig"); found != unit.flags.end())
        return found->second;
    }
    return {};
  }

  // The manifests of the operator's machine, applied server-side (big CRDs exceed the
  // client-side annotation limit) and retried, since custom resources wait for their CRDs.
  util::Result<Ids> add_addons(const Ids& deps) {
    if (!has_manifests_) return Ids{};
    std::string dir = transport::shell_quote(inputs_.operator_dir + layout::kManifestDir);
    std::string probe =
        kubectl("diff --server-side --force-conflicts -f " + dir + " >/dev/null 2>&1");
    std::string apply =
        fmt::format("for i in 1 2 3 4 5; do {} && exit 0; sleep 3; done; exit 1",
                    kubectl("apply --server-side --force-conflicts -f " + dir + " >/dev/null"));
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(inputs_.wait);
    ZEROSPOF_ASSIGN_OR_RETURN(auto id,
                              add_script_step(graph_, {.id = "addons/apply@",
                                                       .host = "",
                                                       .summary = "apply the addon manifests",
                                                       .probe = probe,
                                                       .action = apply,
                                                       .timeout = timeout,
                                                       .deps = join(deps, {operator_files_})}));
    return Ids{id};
  }

  util::Status add_verification(const Ids& controllers, const Ids& agents, const Ids& addons) {
    std::string leases = kubectl(
        "-n kube-system get lease kube-scheduler kube-controller-manager "
        "-o jsonpath='{.items[*].spec.holderIdentity}' | wc -w | grep -qx 2");
    ZEROSPOF_ASSIGN_OR_RETURN(
        auto leased,
        add_operator_wait("verify/leases", "one leader each for scheduler and controller-manager",
                          leases, controllers));
    std::size_t nodes = 0;
    for (const auto& host : hosts_) {
      for (const auto& unit : units_of(host.index)) nodes += is_node(unit) ? 1 : 0;
    }
    Ids verified = leased;
    if (nodes > 0) {
      std::string ready =
          kubectl(
              "get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type==\"Ready\")]"
              ".status}{\"\\n\"}{end}'") +
          fmt::format(" | grep -cx True | grep -qx {}", nodes);
      ZEROSPOF_ASSIGN_OR_RETURN(
          verified, add_operator_wait("verify/nodes", fmt::format("{} nodes Ready", nodes), ready,
                                      join(agents, leased)));
    }
    if (addons.empty()) return {};
    ZEROSPOF_ASSIGN_OR_RETURN(
        auto rolled,
        add_operator_wait("verify/addons", "every Deployment, StatefulSet and DaemonSet available",
                          workloads_available(false), join(addons, verified),
                          workloads_available(true)));
    (void)rolled;
    return {};
  }

  // "KIND/NAMESPACE/NAME WANTED AVAILABLE" per workload, then a verdict over them: a probe that
  // fails unless every one is fully available (a failed kubectl fails too, never passes on an
  // empty list), or, with `name_the_unavailable`, a list of the ones that are not.
  std::string workloads_available(bool name_the_unavailable) const {
    const std::string name = "{.kind}/{.metadata.namespace}/{.metadata.name}";
    std::string list =
        kubectl("get deployments,statefulsets -A -o jsonpath='{range .items[*]}" + name +
                " {.spec.replicas} {.status.availableReplicas}{\"\\n\"}{end}'") +
        " && " +
        kubectl("get daemonsets -A -o jsonpath='{range .items[*]}" + name +
                " {.status.desiredNumberScheduled} {.status.numberAvailable}{\"\\n\"}{end}'");
    std::string awk =
        name_the_unavailable
            ? "'NF && $2 != $3 + 0 {print \"  \" $1 \": \" $3 + 0 \" of \" $2 \" available\"}'"
            : "'NF && $2 != $3 + 0 {bad = 1} END {exit bad}'";
    return "w=$(" + list + ") && printf '%s\\n' \"$w\" | awk " + awk;
  }

  const ApplyInputs& inputs_;
  std::shared_ptr<BinaryContents> contents_;
  StepGraph graph_;
  std::vector<HostPlan> hosts_;
  EtcdAccess access_;
  std::string operator_files_;
  std::string last_firewall_;
  std::string admin_kubeconfig_;
  bool has_manifests_ = false;
};

}  // namespace

util::Result<StepGraph> build_steps(const ApplyInputs& inputs) { return Builder(inputs).build(); }

}  // namespace zerospof::apply
