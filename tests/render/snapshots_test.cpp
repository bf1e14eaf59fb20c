// The volume snapshot API and its controller: rendered whenever there is a storage provider,
// loaded by zerospof's own manifest loader as a redundant controller. The real apiserver
// accepts the CRDs and enforces their schemas in control_plane_test.cpp.
#include "render/snapshots.h"

#include <gtest/gtest.h>

#include "plan/plan.h"

namespace zerospof::render {
namespace {

TEST(SnapshotsTest, EveryStorageProviderGetsTheThreeSnapshotKinds) {
  model::Cluster cluster = plan::builtin_plan();
  for (model::StorageProvider provider :
       {model::StorageProvider::kLonghorn, model::StorageProvider::kRookCeph}) {
    cluster.storage.provider = provider;
    std::string crds = snapshot_crds_manifest(cluster);
    for (const char* name :
         {"name: volumesnapshotclasses.snapshot.storage.k8s.io\n",
          "name: volumesnapshots.snapshot.storage.k8s.io\n",
          "name: volumesnapshotcontents.snapshot.storage.k8s.io\n", "scope: Namespaced\n",
          "kind: VolumeSnapshotClass, listKind: VolumeSnapshotClassList, plural: "
          "volumesnapshotclasses, singular: volumesnapshotclass,"})
      EXPECT_NE(crds.find(name), std::string::npos) << name;
    EXPECT_EQ(crds.find("{{"), std::string::npos);  // every placeholder filled
  }
  cluster.storage.provider = model::StorageProvider::kNone;
  EXPECT_EQ(snapshot_crds_manifest(cluster), "");
  EXPECT_EQ(snapshot_controller_manifest(cluster), "");
}

TEST(SnapshotsTest, TheControllerIsLeaderElectedOnTwoNodesWithABudget) {
  std::string controller = snapshot_controller_manifest(plan::builtin_plan());
  for (const char* part :
       {"kind: Deployment\nmetadata: {name: snapshot-controller, namespace: kube-system",
        "  replicas: 2\n", "--leader-election=true",
        "requiredDuringSchedulingIgnoredDuringExecution", "kind: PodDisruptionBudget",
        "resources: [volumesnapshotcontents/status, volumesnapshots/status]"})
    EXPECT_NE(controller.find(part), std::string::npos) << part;
}

}  // namespace
}  // namespace zerospof::render
