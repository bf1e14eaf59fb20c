// Each scenario over its runs: how many passed, and the median and the worst outage of each probe
// that carries a budget. What a person compares between tunings, and what the figures
// are ("median and worst of 5 runs"), computed from the DrillReport so that no one has to
// re-read the JSON with a script of their own. A run the operator cut short (interrupted) counts
// with its verdict; its timings are left out, its fault having been shorter than asked.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "drill/record.h"

namespace zerospof::drill {

// One probe's outages over the runs that measured it.
struct OutageSummary {
  std::string probe;         // "api-write", "api-read", "etcd-write"
  std::size_t measured = 0;  // runs with a figure for this probe
  double median_ms = 0;
  double worst_ms = 0;
  // The worst run's outage began after the heal (a host rejoining can cost more than the
  // failover did): said beside the figure, because it points at another cause.
  bool worst_after_heal = false;
};

struct ScenarioSummary {
  std::string name;
  std::size_t runs = 0;
  std::size_t passed = 0, failed = 0, inconclusive = 0;
  double budget_ms = 0;  // what the tuning allows for the API (the first run's; all runs agree)
  std::vector<OutageSummary> outages;  // kSummarisedProbes that any run measured, in that order
  std::size_t acknowledged_writes = 0;
  std::size_t acknowledged_writes_lost = 0;
  std::size_t not_linearizable = 0;  // histories the checker found not linearizable
  // The node scenarios: how soon the dead node's pods ran elsewhere, over the runs where they
  // did (`rescheduled` of them), against the tuning's budget.
  std::size_t rescheduled = 0;
  std::optional<double> reschedule_median_ms, reschedule_worst_ms;
  double reschedule_budget_ms = 0;
};

// The probes whose outages a summary gives.
inline constexpr const char* kSummarisedProbes[] = {"api-write", "api-read", "etcd-write"};

// The probe called `name` in `scenario`; nullptr when it did not run.
const ProbeRecord* probe_named(const ScenarioResult& scenario, const std::string& name);

// One summary per scenario name, in the order the names first ran.
std::vector<ScenarioSummary> summarize(const DrillReport& report);

}  // namespace zerospof::drill
