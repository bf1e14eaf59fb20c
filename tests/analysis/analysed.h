// Helpers for the analysis tests: analyse the built-in plan with manifests given inline or as
// upstream files, and find a service's summary or a rule's findings in the report.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "plan/plan.h"
#include "support/test_plans.h"

namespace zerospof::analysis::testing {

inline Report analysed(const model::Manifests& manifests, int failures = 1) {
  Options options;
  options.failures = failures;
  return analyse(plan::builtin_plan(), manifests, options);
}

inline model::Manifests inline_manifests(const std::string& text) {
  auto loaded = plan::load_manifests_from_string(text, "manifests.yaml");
  EXPECT_TRUE(loaded) << util::format_error(loaded.error());
  return loaded ? *loaded : model::Manifests{};
}

// An upstream manifest from ../shared/upstream, unmodified.
inline model::Manifests upstream(const std::string& file) {
  auto loaded = plan::load_manifests({zerospof::testing::shared_path("upstream/" + file)});
  EXPECT_TRUE(loaded) << util::format_error(loaded.error());
  return loaded ? *loaded : model::Manifests{};
}

inline const ServiceSummary* summary_of(const Report& report, const std::string& service) {
  for (size_t i = 0; i < report.services.size(); ++i)
    if (report.services[i].name == service) return &report.summaries[i];
  return nullptr;
}

inline std::vector<Finding> findings_of(const Report& report, const std::string& rule) {
  std::vector<Finding> found;
  for (const Finding& finding : report.findings)
    if (finding.rule == rule) found.push_back(finding);
  return found;
}

}  // namespace zerospof::analysis::testing
