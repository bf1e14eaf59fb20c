// node-bound-volume (src/analysis/node_bound_volume_rule.cpp).
#include "analysis/analysed.h"

namespace zerospof::analysis {
namespace {

using testing::analysed;
using testing::findings_of;
using testing::inline_manifests;
using testing::summary_of;

constexpr const char* kPinnedDatabase = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db}]
      volumes:
        - {name: data, persistentVolumeClaim: {claimName: db-data}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: db-data, namespace: shop}
spec: {volumeName: db-local, storageClassName: local-storage}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: db-local}
spec:
  local: {path: /mnt/disks/db}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - {key: kubernetes.io/hostname, operator: In, values: [cloudserver1]}
)";

TEST(NodeBoundVolumeRuleTest, LocalVolumePinsThePodAndItStaysDownWithItsNode) {
  Report report = analysed(inline_manifests(kPinnedDatabase));
  auto found = findings_of(report, "node-bound-volume");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].reason.find("usable on cloudserver1 only"), std::string::npos);
  const ServiceSummary* db = summary_of(report, "deployment/shop/db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->worst, Health::kDown);
  EXPECT_EQ(report.scenario_name(db->scenario), "node cloudserver1 down");
  EXPECT_EQ(db->first_verdict.live_after, 0);  // nowhere else to go
}

TEST(NodeBoundVolumeRuleTest, WritableHostPathAndLocalPathClassesFire) {
  Report report = analysed(inline_manifests(R"(
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-path}
provisioner: rancher.io/local-path
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: queue, namespace: shop}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: queue}}
    spec:
      containers:
        - name: queue
          volumeMounts: [{name: cache, mountPath: /cache}]
      volumes:
        - {name: cache, hostPath: {path: /var/cache/queue}}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {storageClassName: local-path}
)"));
  auto found = findings_of(report, "node-bound-volume");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].reason.find("writable hostPath /var/cache/queue"), std::string::npos);
  EXPECT_NE(found[1].reason.find("StorageClass local-path (rancher.io/local-path)"),
            std::string::npos);
}

TEST(NodeBoundVolumeRuleTest, ReadOnlyHostPathAndDaemonSetsAreQuiet) {
  // tigera-operator mounts /var/lib/calico read-only; calico-node is a DaemonSet.
  EXPECT_TRUE(findings_of(analysed(testing::upstream("tigera-operator.yaml")), "node-bound-volume")
                  .empty());
  EXPECT_TRUE(findings_of(analysed(testing::upstream("calico.yaml")), "node-bound-volume").empty());
}

}  // namespace
}  // namespace zerospof::analysis
