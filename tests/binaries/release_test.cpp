// The release catalogue: the URLs and digest files each project publishes, at the pinned
// versions, and refusal of what would not name a release.
#include "binaries/release.h"

#include <gtest/gtest.h>

#include <set>

#include "model/pinned_versions.h"

namespace zerospof::binaries {
namespace {

TEST(ReleaseTest, EveryProgramApplyInstallsComesFromItsProjectsRelease) {
  auto artifacts = release_artifacts("v1.37.2", "amd64");
  ASSERT_TRUE(artifacts.has_value()) << artifacts.error().message;
  std::set<std::string> programs;
  for (const auto& artifact : *artifacts)
    for (const auto& [member, program] : artifact.programs) programs.insert(program);
  EXPECT_EQ(programs,
            (std::set<std::string>{"kube-apiserver", "kube-controller-manager", "kube-scheduler",
                                   "kubelet", "kube-proxy", "kubectl", "etcd", "etcdctl",
                                   "containerd", "containerd-shim-runc-v2", "runc"}));
  const auto& kubectl = artifacts->at(5);
  EXPECT_EQ(kubectl.url, "https://dl.k8s.io/release/v1.37.2/bin/linux/amd64/kubectl");
  EXPECT_EQ(kubectl.digest_url, kubectl.url + ".sha256");
  EXPECT_EQ(kubectl.digest_entry, "");
  const std::string etcd(model::pinned::kEtcdVersion);
  const auto& etcd_release = artifacts->at(6);
  EXPECT_EQ(etcd_release.url, "https://github.com/etcd-io/etcd/releases/download/" + etcd +
                                  "/etcd-" + etcd + "-linux-amd64.tar.gz");
  EXPECT_EQ(etcd_release.digest_entry, "etcd-" + etcd + "-linux-amd64.tar.gz");
  EXPECT_TRUE(etcd_release.tar_gz);
  EXPECT_EQ(etcd_release.programs.front().first, "etcd-" + etcd + "-linux-amd64/etcd");
  auto arm = release_artifacts("v1.37.2", "arm64");
  ASSERT_TRUE(arm.has_value());
  EXPECT_EQ(arm->back().url.substr(arm->back().url.rfind('/')), "/runc.arm64");
}

TEST(ReleaseTest, AMinorLineOrAnUnknownArchitectureIsRefused) {
  for (const char* version : {"v1.37", "1.37.2", "v1.37.2/../x", "v1.37.2 "}) {
    auto artifacts = release_artifacts(version, "amd64");
    ASSERT_FALSE(artifacts.has_value()) << version;
    EXPECT_EQ(artifacts.error().code, util::ErrorCode::kInvalidInput);
  }
  auto mips = release_artifacts("v1.37.2", "mips");
  ASSERT_FALSE(mips.has_value());
  EXPECT_NE(mips.error().hint.find("--arch amd64"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::binaries
