// The JSON report stays the size of what differs: services that behave identically in every
// scenario are named once, in serviceGroups, and each scenario names the group, so thousands of
// alike Deployments cost a line each, not a line per scenario each (issue 12: 23 GB before).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "analysis/analysed.h"

namespace zerospof::analysis {
namespace {

using testing::analysed;
using testing::inline_manifests;

// `count` Deployments of 10 replicas with only a preferred anti-affinity: alike in every
// scenario, and each degraded by every node that may hold one.
std::string alike_deployments(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += fmt::format(R"(---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web-{0}, namespace: shop}}
spec:
  replicas: 10
  selector: {{matchLabels: {{app: web-{0}}}}}
  template:
    metadata: {{labels: {{app: web-{0}}}}}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector: {{matchLabels: {{app: web-{0}}}}}
      containers: [{{name: web}}]
)",
                        i);
  return text;
}

TEST(ReportJsonTest, AlikeServicesAreOneGroupNamedOnceAndEachScenarioNamesTheGroup) {
  Report report = analysed(inline_manifests(alike_deployments(40)));
  auto json = nlohmann::json::parse(format_json(report));
  EXPECT_EQ(json["schemaVersion"], 2);

  const nlohmann::json* group = nullptr;
  for (const auto& candidate : json["serviceGroups"])
    if (candidate["services"].size() == 40u) group = &candidate;
  ASSERT_NE(group, nullptr) << json["serviceGroups"].dump();
  EXPECT_EQ((*group)["services"][0], "deployment/shop/web-0");

  std::size_t entries_for_group = 0, scenarios_degrading_it = 0;
  for (const auto& scenario : json["scenarios"]) {
    bool seen = false;
    for (const auto& entry : scenario["services"]) {
      if (!entry.contains("group") || entry["group"] != (*group)["group"]) {
        EXPECT_FALSE(entry.value("service", "").starts_with("deployment/shop/web-"))
            << "a member listed on its own: " << entry.dump();
        continue;
      }
      ++entries_for_group;
      EXPECT_FALSE(seen) << "the group twice in " << scenario["name"];
      seen = true;
      EXPECT_EQ(entry["members"], 40);
      EXPECT_EQ(entry["service"], "deployment/shop/web-0");
      EXPECT_TRUE(entry.contains("reason"));
    }
    scenarios_degrading_it += seen;
  }
  // The rare path ran: the group is degraded in some scenarios, one entry each.
  EXPECT_GT(scenarios_degrading_it, 0u);
  EXPECT_EQ(entries_for_group, scenarios_degrading_it);
}

TEST(ReportJsonTest, TenTimesTheAlikeServicesIsNotTenTimesTheReport) {
  std::size_t small = format_json(analysed(inline_manifests(alike_deployments(20)))).size();
  std::size_t large = format_json(analysed(inline_manifests(alike_deployments(200)))).size();
  // 180 more services: their entries in `services`, their names in the group and their finding
  // (replicas-may-share-node), about 730 bytes each; never a line per scenario each (version 1
  // added about 200 bytes per scenario that degrades them, over 1,000 bytes each here).
  Report report = analysed(inline_manifests(alike_deployments(1)));
  EXPECT_GT(report.health_counts[1], 5) << "too few degrading scenarios to tell the two apart";
  EXPECT_LT(large - small, 180u * 1000u) << small << " -> " << large;
}

TEST(ReportJsonTest, JsonHasTheDocumentedFields) {
  const Report report = analysed(model::Manifests{});
  std::string json = format_json(report);
  for (const char* field : {"\"schemaVersion\": 2", "\"scenarios\"", "\"pointsOfFailure\"",
                            "\"criteria\"", "\"verdict\": \"ok\"", "\"afterRecovery\"",
                            "\"failureDomains\"", "\"interchangeableNodes\"", "\"judged\""})
    EXPECT_NE(json.find(field), std::string::npos) << field;
}

}  // namespace
}  // namespace zerospof::analysis
