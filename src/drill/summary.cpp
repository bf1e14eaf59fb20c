#include "drill/summary.h"

#include <algorithm>

namespace zerospof::drill {
namespace {

// The middle value, or the mean of the two middle ones (as Python's statistics.median, which
// the figures in docs/performance.md were computed with before).
double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::optional<OutageSummary> outage_summary(const std::vector<const ScenarioResult*>& runs,
                                            const std::string& probe_name) {
  std::vector<double> outages;
  OutageSummary summary{.probe = probe_name};
  for (const ScenarioResult* run : runs) {
    const ProbeRecord* probe = probe_named(*run, probe_name);
    if (!probe || !probe->unavailable_ms || run->interrupted) continue;
    outages.push_back(*probe->unavailable_ms);
    if (outages.size() == 1 || *probe->unavailable_ms > summary.worst_ms) {
      summary.worst_ms = *probe->unavailable_ms;
      summary.worst_after_heal =
          probe->unavailable_from_ms && *probe->unavailable_from_ms >= run->fault_end_ms;
    }
  }
  if (outages.empty()) return std::nullopt;
  summary.measured = outages.size();
  summary.median_ms = median(std::move(outages));
  return summary;
}

ScenarioSummary summary_of(const std::vector<const ScenarioResult*>& runs) {
  ScenarioSummary summary{.name = runs.front()->name,
                          .runs = runs.size(),
                          .budget_ms = runs.front()->predicted_outage_ms,
                          .reschedule_budget_ms = runs.front()->predicted_reschedule_ms};
  std::vector<double> rescheduled;
  for (const ScenarioResult* run : runs) {
    summary.passed += run->verdict == Verdict::kPass;
    summary.failed += run->verdict == Verdict::kFail;
    summary.inconclusive += run->verdict == Verdict::kInconclusive;
    summary.acknowledged_writes += run->acknowledged_writes;
    summary.acknowledged_writes_lost += run->acknowledged_writes_lost;
    summary.not_linearizable += run->linearizable == false;
    if (run->pods_rescheduled_ms && !run->interrupted)
      rescheduled.push_back(*run->pods_rescheduled_ms);
  }
  for (const char* probe : kSummarisedProbes)
    if (auto outage = outage_summary(runs, probe)) summary.outages.push_back(*outage);
  summary.rescheduled = rescheduled.size();
  if (!rescheduled.empty()) {
    summary.reschedule_worst_ms = *std::max_element(rescheduled.begin(), rescheduled.end());
    summary.reschedule_median_ms = median(std::move(rescheduled));
  }
  return summary;
}

}  // namespace

const ProbeRecord* probe_named(const ScenarioResult& scenario, const std::string& name) {
  for (const ProbeRecord& probe : scenario.probes)
    if (probe.name == name) return &probe;
  return nullptr;
}

std::vector<ScenarioSummary> summarize(const DrillReport& report) {
  std::vector<std::string> names;
  for (const ScenarioResult& scenario : report.scenarios)
    if (std::find(names.begin(), names.end(), scenario.name) == names.end())
      names.push_back(scenario.name);
  std::vector<ScenarioSummary> summaries;
  for (const std::string& name : names) {
    std::vector<const ScenarioResult*> runs;
    for (const ScenarioResult& scenario : report.scenarios)
      if (scenario.name == name) runs.push_back(&scenario);
    summaries.push_back(summary_of(runs));
  }
  return summaries;
}

}  // namespace zerospof::drill
