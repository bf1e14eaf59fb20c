// `zerospof fetch` as a user runs it, against made-up releases on a loopback mirror: the pinned
// programs land in the cache apply reads, a damaged download installs nothing (exit 4), and
// input that cannot name a release is refused before any download (exit 2).
#include <gtest/gtest.h>

#include <filesystem>

#include "binaries/release.h"
#include "model/pinned_versions.h"
#include "support/loopback_http_server.h"
#include "support/release_fixture.h"
#include "support/scratch_directory.h"
#include "support/test_plans.h"
#include "support/zerospof_command.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::cli {
namespace {

using testing::zerospof;

class FetchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(util::write_file_atomic(plan_, testing::addressed_plan()));
    auto artifacts =
        binaries::release_artifacts(std::string(model::pinned::kKubernetesVersion), "arm64");
    ASSERT_TRUE(artifacts.has_value());
    artifacts_ = *artifacts;
    for (const auto& artifact : artifacts_)
      testing::serve_release(server_, artifact, directory_.path());
  }

  util::ProcessResult fetch() {
    return zerospof(
        {"fetch", plan_, "--arch", "arm64", "--binaries", cache_, "--mirror", server_.url()});
  }

  testing::ScratchDirectory directory_{"zerospof-fetch-cmd"};
  testing::LoopbackHttpServer server_;
  std::vector<binaries::ReleaseArtifact> artifacts_;
  std::string plan_ = directory_.path() + "/plan.yaml";
  std::string cache_ = directory_.path() + "/cache";
};

TEST_F(FetchCommandTest, FillsTheCacheApplyReadsAndSaysWhatItFetched) {
  auto fetched = fetch();
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_NE(fetched.err.find("for linux/arm64 into " + cache_), std::string::npos) << fetched.err;
  EXPECT_NE(fetched.err.find("plain HTTP"), std::string::npos) << fetched.err;
  EXPECT_NE(fetched.out.find("kube-apiserver"), std::string::npos) << fetched.out;
  EXPECT_EQ(util::read_file(cache_ + "/runc").value_or(""), testing::program_bytes("runc"));
  auto manifest = util::read_file(cache_ + "/manifest").value_or("");
  EXPECT_NE(manifest.find("kubelet " + std::string(model::pinned::kKubernetesVersion) + " "),
            std::string::npos)
      << manifest;
}

TEST_F(FetchCommandTest, ADamagedDownloadExitsFourAndInstallsNothing) {
  const auto& kube_proxy = artifacts_[4];
  server_.put(testing::mirror_path(kube_proxy.url), {.body = "not the release"});
  auto fetched = fetch();
  EXPECT_EQ(fetched.exit_code, 4) << fetched.err;
  EXPECT_NE(fetched.err.find("refused, nothing was installed"), std::string::npos) << fetched.err;
  EXPECT_FALSE(std::filesystem::exists(cache_));
}

TEST_F(FetchCommandTest, InputThatNamesNoReleaseIsRefusedBeforeAnyDownload) {
  auto mips = zerospof({"fetch", plan_, "--arch", "mips", "--binaries", cache_});
  EXPECT_EQ(mips.exit_code, 2) << mips.err;
  EXPECT_NE(mips.err.find("--arch amd64 or --arch arm64"), std::string::npos) << mips.err;
  auto mirror = zerospof({"fetch", plan_, "--arch", "amd64", "--mirror", "ftp://x"});
  EXPECT_EQ(mirror.exit_code, 2) << mirror.err;
  EXPECT_NE(mirror.err.find("not an http:// or https:// URL"), std::string::npos) << mirror.err;
  std::string minor = util::read_file(plan_).value_or("");
  std::string pinned(model::pinned::kKubernetesVersion);
  minor.replace(minor.find(pinned), pinned.size(), pinned.substr(0, pinned.rfind('.')));
  ASSERT_TRUE(util::write_file_atomic(plan_, minor, {0644, true}));
  auto line = fetch();
  EXPECT_EQ(line.exit_code, 2) << line.err;
  EXPECT_NE(line.err.find("is not a release"), std::string::npos) << line.err;
  EXPECT_TRUE(server_.requested().empty());
  EXPECT_FALSE(std::filesystem::exists(cache_));
}

}  // namespace
}  // namespace zerospof::cli
