// pdb-blocks-drain. `kubectl drain` evicts through the eviction API, which refuses while the
// budget allows no disruption, so the drain retries forever: every node maintenance, kernel
// patch or Kubernetes upgrade of a node running one of these pods waits on a person deleting
// the budget. One object thereby holds the whole fleet's maintenance hostage.

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

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

std::vector<std::vector<int>> budgets_by_workload(const model::Manifests& all) {
  std::unordered_map<std::string_view, std::vector<int>> in_namespace;
  for (std::size_t b = 0; b < all.budgets.size(); ++b)
    if (!all.budgets[b].selector.empty())
      in_namespace[all.budgets[b].namespace_name].push_back(static_cast<int>(b));
  std::vector<std::vector<int>> budgets(all.workloads.size());
  for (std::size_t w = 0; w < all.workloads.size(); ++w) {
    auto found = in_namespace.find(all.workloads[w].namespace_name);
    if (found == in_namespace.end()) continue;
    for (int b : found->second)
      if (all.budgets[b].selector.matches(all.workloads[w].pod_labels)) budgets[w].push_back(b);
  }
  return budgets;
}

// In budget order, then workload order, as the budgets are written.
void find_blocking_budgets(const model::Manifests& all, std::vector<Finding>& out) {
  std::vector<std::pair<int, int>> blocking;  // budget, workload
  const std::vector<std::vector<int>> budgets = budgets_by_workload(all);
  for (std::size_t w = 0; w < all.workloads.size(); ++w) {
    const model::Workload& workload = all.workloads[w];
    // Drains skip DaemonSet pods (--ignore-daemonsets), so a budget cannot block them there.
    if (workload.kind == model::WorkloadKind::kDaemonSet || workload.replicas == 0) continue;
    for (int b : budgets[w])
      if (all.budgets[b].allowed_disruptions(workload.replicas) == 0)
        blocking.emplace_back(b, static_cast<int>(w));
  }
  std::sort(blocking.begin(), blocking.end());
  for (const auto& [b, w] : blocking) {
    const model::DisruptionBudget& budget = all.budgets[b];
    const model::Workload& workload = all.workloads[w];
    out.push_back(
        {"pdb-blocks-drain",
         fmt::format("poddisruptionbudget/{}/{}", budget.namespace_name, budget.name), budget.where,
         fmt::format("{} allows 0 of the {} pod(s) of {} to be evicted: a drain of any node "
                     "running one waits forever, so node maintenance and upgrades block (a "
                     "maintenance single point of failure)",
                     budget_bound(budget), workload.replicas, workload.display_name()),
         workload.replicas > 1
             ? "maxUnavailable: 1 (or minAvailable below the replicas)"
             : "run at least 2 replicas spread over nodes, with maxUnavailable: 1"});
  }
}

}  // namespace zerospof::analysis
