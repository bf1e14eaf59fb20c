// replicas-unset and replicas-may-share-node (src/analysis/replica_placement_rule.cpp).
#include "analysis/analysed.h"

namespace zerospof::analysis {
namespace {

using testing::analysed;
using testing::findings_of;
using testing::inline_manifests;

TEST(ReplicaPlacementRuleTest, UpstreamIngressNginxLeavesReplicasUnset) {
  Report report = analysed(testing::upstream("ingress-nginx-baremetal.yaml"));
  auto found = findings_of(report, "replicas-unset");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "deployment/ingress-nginx/ingress-nginx-controller");
  EXPECT_NE(found[0].fix.find("whenUnsatisfiable: DoNotSchedule"), std::string::npos);
}

TEST(ReplicaPlacementRuleTest, UpstreamLonghornUiMayStackOnOneNode) {
  // longhorn-ui: 2 replicas with a preferred anti-affinity only.
  Report report = analysed(testing::upstream("longhorn.yaml"));
  auto found = findings_of(report, "replicas-may-share-node");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "deployment/longhorn-system/longhorn-ui");
  EXPECT_NE(found[0].reason.find("puts all 2 replicas on one node"), std::string::npos);
  EXPECT_NE(found[0].reason.find("the preferred one is only a hint"), std::string::npos);
}

TEST(ReplicaPlacementRuleTest, RequiredSpreadIsQuiet) {
  Report report = analysed(inline_manifests(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
           labelSelector: {matchLabels: {app: web}}}
      containers: [{name: web}]
)"));
  EXPECT_TRUE(findings_of(report, "replicas-may-share-node").empty());
  EXPECT_TRUE(findings_of(report, "replicas-unset").empty());
}

}  // namespace
}  // namespace zerospof::analysis
