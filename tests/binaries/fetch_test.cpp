// fetch_release against a real HTTP server on loopback (tests/support/loopback_http_server.h)
// serving made-up releases in the projects' layouts: everything verified is installed, and a
// wrong digest, a truncated download, a missing file or a missing archive member installs
// nothing at all.
#include "binaries/fetch.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/loopback_http_server.h"
#include "support/release_fixture.h"
#include "support/scratch_directory.h"
#include "util/digest.h"
#include "util/files.h"

namespace zerospof::binaries {
namespace {

namespace fs = std::filesystem;

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto artifacts = release_artifacts("v1.37.2", "amd64");
    ASSERT_TRUE(artifacts.has_value());
    artifacts_ = *artifacts;
    for (const auto& artifact : artifacts_)
      testing::serve_release(server_, artifact, scratch_.path());
  }

  util::Result<std::vector<Binary>> fetch() {
    CurlDownloader downloader({.timeout = std::chrono::seconds(20), .allow_plain_http = true});
    return fetch_release(artifacts_, cache_, downloader, {.mirror = server_.url() + "/"});
  }

  // Nothing installed: no cache, and nothing left beside where it would be (no staging or
  // scratch directory).
  void expect_nothing_installed() {
    EXPECT_FALSE(fs::exists(cache_));
    for (const auto& entry : fs::directory_iterator(fs::path(cache_).parent_path()))
      ADD_FAILURE() << "left behind: " << entry.path();
  }

  testing::ScratchDirectory scratch_{"zerospof-fetch-test"};
  testing::LoopbackHttpServer server_;
  std::vector<ReleaseArtifact> artifacts_;
  std::string cache_ = scratch_.path() + "/binaries/v1.37.2";
};

TEST_F(FetchTest, EveryProgramIsDownloadedVerifiedAndInstalledOnceOnly) {
  auto fetched = fetch();
  ASSERT_TRUE(fetched.has_value()) << util::format_error(fetched.error());
  EXPECT_EQ(fetched->size(), 11u);
  auto cache = load_binary_cache(cache_);
  ASSERT_TRUE(cache.has_value());
  for (const auto& binary : *cache) {
    EXPECT_EQ(util::read_file(binary.local_path).value_or(""), testing::program_bytes(binary.name))
        << binary.name;
    EXPECT_EQ(binary.sha256, util::sha256_hex(testing::program_bytes(binary.name)));
  }
  // The versions the cluster needs, so apply takes this cache as it is.
  EXPECT_TRUE(check_binary_versions(*cache, "v1.37.2").has_value());
  // Fetched again: every program is in the cache at its version, so nothing is downloaded.
  std::size_t asked = server_.requested().size();
  ASSERT_TRUE(fetch().has_value());
  EXPECT_EQ(server_.requested().size(), asked);
  // A program changed in the cache since is downloaded again.
  ASSERT_TRUE(util::write_file_atomic(cache_ + "/runc", "tampered", {0755, true}).has_value());
  ASSERT_TRUE(fetch().has_value());
  EXPECT_EQ(server_.requested().size(), asked + 2);
  EXPECT_EQ(util::read_file(cache_ + "/runc").value_or(""), testing::program_bytes("runc"));
}

TEST_F(FetchTest, AWrongDigestIsRefusedAndNothingIsInstalled) {
  const auto& kubelet = artifacts_[3];
  server_.put(testing::mirror_path(kubelet.digest_url), {.body = std::string(64, 'a')});
  auto fetched = fetch();
  ASSERT_FALSE(fetched.has_value());
  EXPECT_NE(fetched.error().message.find("publishes " + std::string(64, 'a') +
                                         ": refused, nothing was installed"),
            std::string::npos)
      << fetched.error().message;
  EXPECT_NE(fetched.error().message.find("/dl.k8s.io/release/v1.37.2/bin/linux/amd64/kubelet"),
            std::string::npos);
  expect_nothing_installed();
}

TEST_F(FetchTest, ATruncatedDownloadIsRefusedAndNothingIsInstalled) {
  // The server announces more than it sends and closes: the connection ends early.
  const auto& etcd = artifacts_[6];
  std::string archive = util::read_file(scratch_.path() + "/archive-etcd.tar.gz").value_or("");
  server_.put(testing::mirror_path(etcd.url),
              {.body = archive.substr(0, archive.size() / 2),
               .declared_length = static_cast<long>(archive.size())});
  auto fetched = fetch();
  ASSERT_FALSE(fetched.has_value());
  EXPECT_EQ(fetched.error().code, util::ErrorCode::kUnavailable);
  EXPECT_NE(fetched.error().message.find("etcd-"), std::string::npos) << fetched.error().message;
  expect_nothing_installed();
}

TEST_F(FetchTest, AMissingFileOrArchiveMemberIsRefusedAndNothingIsInstalled) {
  server_.put(testing::mirror_path(artifacts_.back().digest_url),
              {.body = "", .declared_length = -1});
  auto no_digest = fetch();
  ASSERT_FALSE(no_digest.has_value());
  EXPECT_NE(no_digest.error().message.find("does not give a sha256 for runc.amd64"),
            std::string::npos)
      << no_digest.error().message;
  expect_nothing_installed();

  SetUp();  // every file served again as released
  ReleaseArtifact renamed = artifacts_[7];
  renamed.programs[0].first = "bin/containerd-renamed";
  artifacts_[7] = renamed;
  auto no_member = fetch();
  ASSERT_FALSE(no_member.has_value());
  EXPECT_NE(no_member.error().message.find("the archive does not hold bin/containerd-renamed"),
            std::string::npos)
      << no_member.error().message;
  expect_nothing_installed();
}

TEST(CurlDownloaderTest, AnHttpErrorIsNamedAndPlainHttpIsRefusedUnlessAllowed) {
  testing::LoopbackHttpServer server;
  CurlDownloader mirror({.timeout = std::chrono::seconds(10), .allow_plain_http = true});
  auto missing = mirror.get(server.url() + "/nothing");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("HTTP 404"), std::string::npos) << missing.error().message;
  server.put("/file", {.body = "x"});
  EXPECT_EQ(mirror.get(server.url() + "/file").value_or(""), "x");
  CurlDownloader official({.timeout = std::chrono::seconds(10)});
  EXPECT_FALSE(official.get(server.url() + "/file").has_value());
  CurlDownloader small(
      {.timeout = std::chrono::seconds(10), .max_bytes = 10, .allow_plain_http = true});
  server.put("/big", {.body = std::string(100, 'b')});
  auto big = small.get(server.url() + "/big");
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message.find("larger than 10 bytes"), std::string::npos)
      << big.error().message;
}

TEST(MirroredTest, TheReleaseUrlsHostAndPathGoBelowTheMirror) {
  EXPECT_EQ(mirrored("https://dl.k8s.io/release/v1/x", ""), "https://dl.k8s.io/release/v1/x");
  EXPECT_EQ(mirrored("https://dl.k8s.io/release/v1/x", "http://127.0.0.1:8080//"),
            "http://127.0.0.1:8080/dl.k8s.io/release/v1/x");
}

}  // namespace
}  // namespace zerospof::binaries
