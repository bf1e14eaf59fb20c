// What build_steps() asks through the API (kubectl on the operator's machine with the admin
// kubeconfig): the endpoint's readiness, the addons, the final verification.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <set>

#include "apply/builder.h"

namespace zerospof::apply {

std::string Builder::kubectl(const std::string& arguments) const {
  return fmt::format("{} --kubeconfig={} --request-timeout=5s {}",
                     transport::shell_quote(inputs_.kubectl),
                     transport::shell_quote(admin_kubeconfig_), arguments);
}

util::Result<Ids> Builder::add_operator_wait(const std::string& id, const std::string& summary,
                                             const std::string& probe, Ids deps,
                                             const std::string& explain) {
  if (!operator_files_.empty()) deps.push_back(operator_files_);
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto added, add_wait_step(graph_, id, "", summary, probe, inputs_.wait, deps, explain));
  return Ids{added};
}

// The manifests of the operator's machine, applied server-side (big CRDs exceed the
// client-side annotation limit) and retried, since custom resources wait for their CRDs.
util::Result<Ids> Builder::add_addons(const Ids& deps) {
  if (manifests_.empty()) return Ids{};
  std::string files;
  for (const std::string& manifest : manifests_) files += " -f " + transport::shell_quote(manifest);
  std::string probe = kubectl("diff --server-side --force-conflicts" + files + " >/dev/null 2>&1");
  std::string apply =
      fmt::format("for i in 1 2 3 4 5; do {} && exit 0; sleep 3; done; exit 1",
                  kubectl("apply --server-side --force-conflicts" + files + " >/dev/null"));
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

util::Status Builder::add_verification(const Ids& controllers, const Ids& agents,
                                       const Ids& addons) {
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
std::string Builder::workloads_available(bool name_the_unavailable) const {
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

}  // namespace zerospof::apply
