// model::is_kubernetes_version: what a plan's version may be wherever it lands (a directory
// name, a manifest field, a word of a shell command).
#include "model/versions.h"

#include <gtest/gtest.h>

namespace zerospof::model {
namespace {

TEST(KubernetesVersionTest, AcceptsMinorAndPatchReleases) {
  for (const char* version : {"v1.37", "v1.37.2", "v1.0.0", "v1.999.999"})
    EXPECT_TRUE(is_kubernetes_version(version)) << version;
  EXPECT_TRUE(is_kubernetes_version(pinned::kKubernetesVersion));
}

TEST(KubernetesVersionTest, RefusesAnythingElse) {
  for (const char* version :
       {"", "v1", "v1.", "v1.37.", "1.37.2", "v2.0.0", "v1.1000", "v1.37.2.1", "v1.37.2-rc.0",
        "v1.37.2/../x", "v1.37.2 ", " v1.37.2", "v1.37.2;id", "v1.3\n7"})
    EXPECT_FALSE(is_kubernetes_version(version)) << version;
}

TEST(RequiredVersionTest, KubernetesProgramsFollowThePlanAndTheOthersTheirPins) {
  EXPECT_EQ(required_version("kube-apiserver", "v1.35.0"), "v1.35.0");
  EXPECT_EQ(required_version("kubectl", "v1.35.0"), "v1.35.0");
  EXPECT_EQ(required_version("etcdctl", "v1.35.0"), std::string(pinned::kEtcdVersion));
  EXPECT_EQ(required_version("kwok", "v1.35.0"), std::string(pinned::kKwokVersion));
  EXPECT_EQ(required_version("kubelet", "v1.35.0"), "v1.35.0");
  EXPECT_EQ(required_version("kube-proxy", "v1.35.0"), "v1.35.0");
  EXPECT_EQ(required_version("containerd-shim-runc-v2", "v1.35.0"),
            std::string(pinned::kContainerdVersion));
  EXPECT_EQ(required_version("runc", "v1.35.0"), std::string(pinned::kRuncVersion));
  EXPECT_EQ(required_version("haproxy", "v1.35.0"), std::nullopt);
}

}  // namespace
}  // namespace zerospof::model
