// model/storage.h: which storage classes keep a volume on the node that first used it.
#include "model/storage.h"

#include <gtest/gtest.h>

namespace zerospof::model {
namespace {

TEST(Storage, NodeLocalProvisionersAreKnownByName) {
  for (const char* provisioner :
       {"kubernetes.io/no-provisioner", "rancher.io/local-path", "openebs.io/local", "topolvm.io"})
    EXPECT_TRUE(StorageClass{.provisioner = provisioner}.node_local()) << provisioner;
  for (const char* provisioner : {"driver.longhorn.io", "rook-ceph.rbd.csi.ceph.com", ""})
    EXPECT_FALSE(StorageClass{.provisioner = provisioner}.node_local()) << provisioner;
}

}  // namespace
}  // namespace zerospof::model
