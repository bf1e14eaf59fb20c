// analysis/report_text.cpp: the report for a person, bounded on large plans and without
// colour codes when colour is off.
#include "analysed.h"
#include "util/terminal.h"

namespace zerospof::analysis {
namespace {

// Scenarios that degrade many workloads at once: the details listed are bounded in verdicts, and
// the text shows a bounded number of lines per scenario; the counts still cover every scenario.
TEST(ReportTextTest, DetailsAreBoundedInVerdictsAndLines) {
  model::Manifests manifests;
  for (int i = 0; i < 60; ++i) {
    model::Workload workload;
    workload.name = "web-" + std::to_string(i);
    workload.replicas = 3;
    workload.pod_labels = {{"app", workload.name}};
    workload.cpu_request_millicores = i;  // each its own group: a verdict each
    workload.priority = i;
    manifests.workloads.push_back(std::move(workload));
  }
  Options options;
  const Report every = analyse(plan::builtin_plan(), manifests, options);
  options.detail_verdict_limit = 100;
  const Report bounded = analyse(plan::builtin_plan(), manifests, options);
  long listed = 0;
  for (const ScenarioResult& result : bounded.results)
    listed += static_cast<long>(result.verdicts.size());
  EXPECT_LE(listed, 100);
  EXPECT_LT(bounded.results.size(), every.results.size());
  EXPECT_GT(bounded.omitted, 0);
  EXPECT_EQ(bounded.scenario_count, every.scenario_count);
  EXPECT_EQ(bounded.health_counts[1], every.health_counts[1]);

  std::string text = format_text(every, util::Style(false), false);
  EXPECT_NE(text.find("more services degraded or down here: --verbose lists them"),
            std::string::npos);
  std::string verbose = format_text(every, util::Style(false), true);
  EXPECT_EQ(verbose.find("more services degraded or down here"), std::string::npos);
  EXPECT_NE(verbose.find("deployment/default/web-59"), std::string::npos);
}

TEST(ReportTextTest, TextWithoutColourHasNoEscapeCodes) {
  const Report report = testing::analysed(model::Manifests{});
  std::string text = format_text(report, util::Style(false), false);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("✔ no single point of failure"), std::string::npos);
  EXPECT_NE(format_text(report, util::Style(true), false).find('\033'), std::string::npos);
}

}  // namespace
}  // namespace zerospof::analysis
