// Helpers for the analysis tests: analyse the built-in plan, or one made with PlanBuilder, with
// manifests given inline or as upstream files, and find a service's summary, its first failure,
// a criterion or a rule's findings in the report.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "plan/plan.h"
#include "support/plan_builder.h"
#include "support/test_plans.h"

namespace zerospof::analysis::testing {

inline Report analysed(const model::Cluster& cluster, const model::Manifests& manifests = {},
                       int failures = 1) {
  Options options;
  options.failures = failures;
  return analyse(cluster, manifests, options);
}

inline Report analysed(const model::Manifests& manifests, int failures = 1) {
  return analysed(plan::builtin_plan(), manifests, failures);
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

// The summary of `service`; a test failure when the report has no such service.
inline const ServiceSummary& summary(const Report& report, const std::string& service) {
  if (const ServiceSummary* found = summary_of(report, service)) return *found;
  ADD_FAILURE() << "no service " << service;
  static ServiceSummary none;
  return none;
}

// "scenario: reason" of the first scenario that brings `service` to its worst; "" when ok.
inline std::string first_failure(const Report& report, const std::string& service) {
  const ServiceSummary& found = summary(report, service);
  if (found.worst == Health::kOk) return "";
  return report.scenario_name(found.scenario) + ": " + report.reason_text(found.first_verdict);
}

inline const Criterion& criterion(const Report& report, const std::string& prefix) {
  for (const Criterion& candidate : report.criteria)
    if (candidate.text.rfind(prefix, 0) == 0) return candidate;
  ADD_FAILURE() << "no criterion " << prefix;
  static Criterion none;
  return none;
}

inline bool noted(const Report& report, const std::string& text) {
  for (const std::string& note : report.notes)
    if (note.find(text) != std::string::npos) return true;
  return false;
}

inline std::vector<Finding> findings_of(const Report& report, const std::string& rule) {
  std::vector<Finding> found;
  for (const Finding& finding : report.findings)
    if (finding.rule == rule) found.push_back(finding);
  return found;
}

}  // namespace zerospof::analysis::testing
