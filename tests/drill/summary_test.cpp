// A scenario over its runs: the verdicts counted, the median and the worst outage of each probe,
// where the worst fell, and the pods' move for the node scenarios.
#include "drill/summary.h"

#include <gtest/gtest.h>

namespace zerospof::drill {
namespace {

ScenarioResult run_of(const std::string& name, Verdict verdict, std::optional<double> write_ms,
                      double write_from_ms = 3000) {
  ScenarioResult run{.name = name, .fault_start_ms = 2000, .fault_end_ms = 12000};
  run.verdict = verdict;
  run.predicted_outage_ms = 1000;
  run.acknowledged_writes = 100;
  run.linearizable = true;
  if (write_ms)
    run.probes.push_back(
        {.name = "api-write", .unavailable_ms = write_ms, .unavailable_from_ms = write_from_ms});
  run.probes.push_back({.name = "api-read", .unavailable_ms = 100});
  return run;
}

TEST(SummaryTest, MedianAndWorstPerScenarioInTheOrderTheyFirstRan) {
  DrillReport report;
  report.scenarios = {run_of("primary-down", Verdict::kPass, 700),
                      run_of("apiserver-killed", Verdict::kFail, 1500),
                      run_of("primary-down", Verdict::kFail, 1300, 12500),
                      run_of("primary-down", Verdict::kInconclusive, 400),
                      run_of("apiserver-killed", Verdict::kPass, 500)};
  report.scenarios[3].acknowledged_writes_lost = 2;
  report.scenarios[3].linearizable = false;
  std::vector<ScenarioSummary> summaries = summarize(report);
  ASSERT_EQ(summaries.size(), 2u);
  const ScenarioSummary& primary = summaries[0];
  EXPECT_EQ(primary.name, "primary-down");
  EXPECT_EQ(primary.runs, 3u);
  EXPECT_EQ(primary.passed, 1u);
  EXPECT_EQ(primary.failed, 1u);
  EXPECT_EQ(primary.inconclusive, 1u);
  EXPECT_EQ(primary.acknowledged_writes, 300u);
  EXPECT_EQ(primary.acknowledged_writes_lost, 2u);
  EXPECT_EQ(primary.not_linearizable, 1u);
  EXPECT_DOUBLE_EQ(primary.budget_ms, 1000);
  ASSERT_EQ(primary.outages.size(), 2u) << "etcd-write was not probed: no figure, not a zero";
  EXPECT_EQ(primary.outages[0].probe, "api-write");
  EXPECT_DOUBLE_EQ(primary.outages[0].median_ms, 700);
  EXPECT_DOUBLE_EQ(primary.outages[0].worst_ms, 1300);
  EXPECT_TRUE(primary.outages[0].worst_after_heal) << "it began at 12.5 s, the heal at 12 s";
  EXPECT_EQ(primary.outages[1].probe, "api-read");
  // An even number of runs: the mean of the two middle ones, as the figures always were.
  const ScenarioSummary& apiserver = summaries[1];
  EXPECT_DOUBLE_EQ(apiserver.outages[0].median_ms, 1000);
  EXPECT_DOUBLE_EQ(apiserver.outages[0].worst_ms, 1500);
  EXPECT_FALSE(apiserver.outages[0].worst_after_heal);
  EXPECT_FALSE(apiserver.reschedule_median_ms) << "not a node scenario";
}

TEST(SummaryTest, ARunWithoutAFigureCountsAsARunButNotAsAnOutage) {
  DrillReport report;
  report.scenarios = {run_of("worker-down", Verdict::kPass, 300),
                      run_of("worker-down", Verdict::kInconclusive, std::nullopt)};
  report.scenarios[0].predicted_reschedule_ms = 14000;
  report.scenarios[1].predicted_reschedule_ms = 14000;
  report.scenarios[0].pods_rescheduled_ms = 10100;
  std::vector<ScenarioSummary> summaries = summarize(report);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].runs, 2u);
  EXPECT_EQ(summaries[0].outages[0].measured, 1u);
  EXPECT_DOUBLE_EQ(summaries[0].outages[0].median_ms, 300);
  EXPECT_EQ(summaries[0].rescheduled, 1u) << "the pods moved in one run of two";
  EXPECT_DOUBLE_EQ(*summaries[0].reschedule_worst_ms, 10100);
  EXPECT_DOUBLE_EQ(summaries[0].reschedule_budget_ms, 14000);
}

// A run the operator cut short counts with its verdict, but its shorter fault says nothing of the
// failover's time: its outage and its pods are left out of the median and the worst.
TEST(SummaryTest, AnInterruptedRunCountsButItsTimingsAreLeftOut) {
  DrillReport report;
  report.scenarios = {run_of("worker-down", Verdict::kPass, 300),
                      run_of("worker-down", Verdict::kInconclusive, 5000)};
  report.scenarios[0].pods_rescheduled_ms = 10100;
  report.scenarios[1].pods_rescheduled_ms = 2000;
  report.scenarios[1].interrupted = true;
  std::vector<ScenarioSummary> summaries = summarize(report);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].runs, 2u);
  EXPECT_EQ(summaries[0].inconclusive, 1u);
  EXPECT_EQ(summaries[0].outages[0].measured, 1u);
  EXPECT_DOUBLE_EQ(summaries[0].outages[0].worst_ms, 300);
  EXPECT_EQ(summaries[0].rescheduled, 1u);
  EXPECT_DOUBLE_EQ(*summaries[0].reschedule_median_ms, 10100);
}

}  // namespace
}  // namespace zerospof::drill
