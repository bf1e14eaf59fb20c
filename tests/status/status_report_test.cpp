// status_report: the JSON schema docs/status.md documents (every key, per-member etcd facts),
// colour only when asked for, and text read from the cluster made printable.
#include "status/status_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/healthy_observations.h"
#include "support/test_plans.h"

namespace zerospof::status {
namespace {

ClusterStatus healthy() {
  auto cluster = testing::load_plan(testing::addressed_plan());
  auto observed = testing::healthy_observations(cluster);
  observed.etcd.members[0].raft_index = 42;
  observed.etcd.members[0].database_bytes = 3 << 20;
  return assess(cluster, observed);
}

TEST(StatusReportTest, JsonHasEveryDocumentedKeyAndEachEtcdMember) {
  auto json = nlohmann::json::parse(report_json(healthy()));
  for (const char* key : {"cluster", "health", "unreachable", "api_error", "components", "etcd",
                          "nodes", "workloads", "stuck_attachments", "leases", "certificates"})
    EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_EQ(json["health"], "healthy");
  ASSERT_EQ(json["etcd"]["members"].size(), 3u);
  EXPECT_EQ(json["etcd"]["members"][0]["raft_index"], 42);
  EXPECT_EQ(json["etcd"]["members"][0]["raft_term"], 3);
  EXPECT_EQ(json["etcd"]["members"][0]["database_bytes"], 3 << 20);
  EXPECT_TRUE(json["etcd"]["members"][0]["leader"].get<bool>());
  EXPECT_EQ(json["certificates"]["warning_days"], 30);
  EXPECT_EQ(json["nodes"][0]["units"][0]["active"], "active");
}

TEST(StatusReportTest, ColourOnlyWhenAskedAndClusterTextIsMadePrintable) {
  ClusterStatus status = healthy();
  status.nodes[1].problems.push_back("unit \x1b]0;owned\x07 is failed");
  status.nodes[1].health = Health::kDegraded;
  std::string plain = report_text(status, util::Style(false));
  EXPECT_EQ(plain.find('\x1b'), std::string::npos) << plain;
  EXPECT_NE(plain.find("\\x1b]0;owned\\x07"), std::string::npos);
  EXPECT_NE(plain.find("largest database 3.0 MiB"), std::string::npos) << plain;
  EXPECT_NE(plain.find("term 3 index 42 (leader)"), std::string::npos) << plain;
  std::string coloured = report_text(status, util::Style(true));
  EXPECT_NE(coloured.find("\x1b[1;32mhealthy"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::status
