// pdb-blocks-drain. `kubectl drain` evicts through the eviction API, which refuses while the
// budget allows no disruption, so the drain retries forever: every node maintenance, kernel
// patch or Kubernetes upgrade of a node running one of these pods waits on a person deleting
// the budget. One object thereby holds the whole fleet's maintenance hostage.

#include <fmt/format.h>

#include "analysis/findings.h"

namespace zerospof::analysis {

namespace {

std::string budget_bound(const model::DisruptionBudget& budget) {
  if (budget.max_unavailable) return fmt::format("maxUnavailable: {}", *budget.max_unavailable);
  if (budget.max_unavailable_percent)
    return fmt::format("maxUnavailable: {}%", *budget.max_unavailable_percent);
  if (budget.min_available) return fmt::format("minAvailable: {}", *budget.min_available);
  if (budget.min_available_percent)
    return fmt::format("minAvailable: {}%", *budget.min_available_percent);
  return "no bound";
}

}  // namespace

void find_blocking_budgets(const model::Manifests& all, std::vector<Finding>& out) {
  for (const model::DisruptionBudget& budget : all.budgets) {
    if (budget.selector.empty()) continue;
    for (const model::Workload& workload : all.workloads) {
      // Drains skip DaemonSet pods (--ignore-daemonsets), so a budget cannot block them there.
      if (workload.kind == model::WorkloadKind::kDaemonSet || workload.replicas == 0 ||
          workload.namespace_name != budget.namespace_name ||
          !budget.selector.matches(workload.pod_labels) ||
          budget.allowed_disruptions(workload.replicas) > 0)
        continue;
      out.push_back(
          {"pdb-blocks-drain",
           fmt::format("poddisruptionbudget/{}/{}", budget.namespace_name, budget.name),
           budget.where,
           fmt::format("{} allows 0 of the {} pod(s) of {} to be evicted: a drain of any node "
                       "running one waits forever, so node maintenance and upgrades block (a "
                       "maintenance single point of failure)",
                       budget_bound(budget), workload.replicas, workload.display_name()),
           workload.replicas > 1
               ? "maxUnavailable: 1 (or minAvailable below the replicas)"
               : "run at least 2 replicas spread over nodes, with maxUnavailable: 1"});
    }
  }
}

}  // namespace zerospof::analysis
