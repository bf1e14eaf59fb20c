// local-traffic-one-node (src/analysis/traffic_policy_rule.cpp).
#include "analysis/analysed.h"

namespace zerospof::analysis {
namespace {

using testing::analysed;
using testing::findings_of;
using testing::inline_manifests;

// A LoadBalancer Service with externalTrafficPolicy: Local in front of a `kind` with `spec_head`
// (replicas or selector) and `placement` in its pod spec.
std::string local_service_in_front_of(const std::string& kind, const std::string& spec_head,
                                      const std::string& placement = "") {
  return R"(
apiVersion: apps/v1
kind: )" +
         kind + R"(
metadata: {name: edge, namespace: web}
spec:
  )" + spec_head +
         R"(
  template:
    metadata: {labels: {app: edge}}
    spec:
)" + placement +
         R"(
      containers: [{name: edge}]
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: web}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: edge}
)";
}

TEST(TrafficPolicyRuleTest, LocalPolicyInFrontOfOneReplicaFires) {
  Report report =
      analysed(inline_manifests(local_service_in_front_of("Deployment", "replicas: 1")));
  auto found = findings_of(report, "local-traffic-one-node");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "service/web/edge");
  EXPECT_NE(found[0].reason.find("LoadBalancer with externalTrafficPolicy: Local"),
            std::string::npos);
}

TEST(TrafficPolicyRuleTest, DaemonSetOrRequiredSpreadIsQuiet) {
  Report daemons = analysed(inline_manifests(
      local_service_in_front_of("DaemonSet", "selector: {matchLabels: {app: edge}}")));
  EXPECT_TRUE(findings_of(daemons, "local-traffic-one-node").empty());
  Report spread = analysed(inline_manifests(local_service_in_front_of("Deployment", "replicas: 3",
                                                                      R"(      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: edge}}
              topologyKey: kubernetes.io/hostname)")));
  EXPECT_TRUE(findings_of(spread, "local-traffic-one-node").empty());
}

}  // namespace
}  // namespace zerospof::analysis
