// The monitoring stack: what the analysis models (names, replicas, spread, budgets) and alerts
// on the failures the cluster survives.
#include "render/monitoring.h"

#include <gtest/gtest.h>

#include "plan/plan.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

TEST(MonitoringTest, DeploysWhatTheAnalysisModels) {
  auto manifests = plan::load_manifests_from_string(
      monitoring_manifest(testing::rendered().cluster), "50-monitoring.yaml");
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  std::map<std::string, int> replicas;
  for (const model::Workload& workload : manifests->workloads) {
    EXPECT_EQ(workload.namespace_name, "monitoring");
    EXPECT_EQ(workload.spread.required_key, model::SpreadKey::kHostname) << workload.name;
    EXPECT_TRUE(workload.has_readiness_probe && workload.has_liveness_probe) << workload.name;
    replicas[workload.name] = workload.replicas;
  }
  EXPECT_EQ(
      replicas,
      (std::map<std::string, int>{
          {"alertmanager", 3}, {"grafana", 2}, {"kube-state-metrics", 2}, {"prometheus", 2}}));
  EXPECT_EQ(manifests->budgets.size(), 4u);
}

TEST(MonitoringTest, AlertsOnQuorumVipAndNodeLoss) {
  std::string text = monitoring_manifest(testing::rendered().cluster);
  for (const char* alert :
       {"alert: NodeNotReady", "alert: ApiserverRedundancyLost", "alert: EtcdUnhealthy",
        "alert: ApiEndpointDown", "targets: [\"198.18.7.100:6443\"]"})
    EXPECT_NE(text.find(alert), std::string::npos) << alert;
  EXPECT_EQ(monitoring_manifest(testing::rendered(testing::Variant::kLocalProxy).cluster)
                .find("job_name: api-endpoint"),
            std::string::npos);
}

TEST(MonitoringTest, DisabledMeansNothing) {
  model::Cluster cluster = testing::rendered().cluster;
  cluster.addons.monitoring_enabled = false;
  EXPECT_EQ(monitoring_manifest(cluster), "");
}

}  // namespace
}  // namespace zerospof::render
