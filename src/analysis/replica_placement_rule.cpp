// replicas-unset and replicas-may-share-node. The scheduler only guarantees what is required:
// a preferred anti-affinity or a ScheduleAnyway spread yields as soon as nodes are busy or
// were added one by one, so the worst placement the rules allow, all replicas on one node, is
// the one to plan for. The failure scenarios already judge that placement; these findings name
// it once per workload with the constraint that removes it.

#include <fmt/format.h>

#include <algorithm>

#include "analysis/findings.h"

namespace zerospof::analysis {

bool may_share_one_node(const model::Workload& workload) {
  return workload.kind != model::WorkloadKind::kDaemonSet &&
         (workload.replicas <= 1 || workload.spread.required_key == model::SpreadKey::kNone);
}

std::string spread_fix(const model::Cluster& cluster) {
  bool zones = std::any_of(cluster.nodes.begin(), cluster.nodes.end(),
                           [](const model::Node& node) { return !node.zone.empty(); });
  return fmt::format(
      "topologySpreadConstraints: maxSkew: 1, topologyKey: kubernetes.io/hostname, "
      "whenUnsatisfiable: DoNotSchedule{} (or a required podAntiAffinity on the pods' own "
      "labels)",
      zones ? "; and the same on topology.kubernetes.io/zone" : "");
}

void find_unspread_replicas(const model::Cluster& cluster, const model::Manifests& all,
                            std::vector<Finding>& out) {
  const std::string fix = spread_fix(cluster);  // once: it looks at every node
  for (const model::Workload& workload : all.workloads) {
    // What zerospof deploys is spread by construction, or single by upstream design.
    if (workload.deployed_by_zerospof || !may_share_one_node(workload)) continue;
    if (workload.replicas_defaulted) {
      out.push_back({"replicas-unset", workload.display_name(), workload.where,
                     "spec.replicas is not set, so Kubernetes runs 1 pod: the failure of its "
                     "node, or any restart, leaves none until it is rescheduled",
                     "spec.replicas: 2 or more, with " + fix});
      continue;
    }
    if (workload.replicas <= 1) continue;  // a deliberate single replica: the scenarios judge it
    out.push_back(
        {"replicas-may-share-node", workload.display_name(), workload.where,
         fmt::format("{} replicas and no required anti-affinity or DoNotSchedule spread{}: the "
                     "worst placement allowed puts all {} replicas on one node, whose "
                     "failure takes every one at once",
                     workload.replicas,
                     workload.spread.preferred ? " (the preferred one is only a hint)" : "",
                     workload.replicas),
         fix});
  }
}

}  // namespace zerospof::analysis
