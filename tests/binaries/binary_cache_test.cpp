// The binary cache's manifest: its fields go unquoted into root shell scripts, so each must be
// an inert word (issue 11, item 3). And a CacheWriter installs nothing until it commits.
#include "binaries/binary_cache.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "model/pinned_versions.h"
#include "util/digest.h"
#include "util/files.h"

namespace zerospof::binaries {
namespace {

class BinaryCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = std::filesystem::temp_directory_path() / "zerospof-cache-test-XXXXXX";
    directory_ = ::mkdtemp(pattern.data());
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  util::Result<std::vector<Binary>> load(const std::string& manifest) {
    auto written = util::write_file_atomic(directory_ + "/manifest", manifest, {0644, true});
    EXPECT_TRUE(written.has_value());
    return load_binary_cache(directory_);
  }

  std::string directory_;
};

const std::string kDigest(64, 'a');

TEST_F(BinaryCacheTest, ReadsNameVersionAndDigest) {
  auto binaries = load("etcd\tv3.6.5\t" + kDigest + "\n");
  ASSERT_TRUE(binaries.has_value());
  ASSERT_EQ(binaries->size(), 1u);
  EXPECT_EQ(binaries->front().sha256, kDigest);
  EXPECT_EQ(binaries->front().local_path, directory_ + "/etcd");
}

TEST_F(BinaryCacheTest, DigestOfShellCodeIsRefused) {
  // 64 characters, as the old length check wanted: `$(id>/tmp/x)` runs in `echo {digest}`.
  std::string digest = "$(id>/tmp/x)" + std::string(52, 'a');
  ASSERT_EQ(digest.size(), 64u);
  EXPECT_FALSE(load("etcd v3.6.5 " + digest + "\n").has_value());
}

TEST_F(BinaryCacheTest, UpperCaseOrShortDigestIsRefused) {
  EXPECT_FALSE(load("etcd v3.6.5 " + std::string(64, 'A') + "\n").has_value());
  EXPECT_FALSE(load("etcd v3.6.5 " + std::string(63, 'a') + "\n").has_value());
}

TEST_F(BinaryCacheTest, NameThatIsNotAFileNameIsRefused) {
  EXPECT_FALSE(load("../../etc/passwd v1 " + kDigest + "\n").has_value());
  EXPECT_FALSE(load("etcd;id v1 " + kDigest + "\n").has_value());
}

TEST_F(BinaryCacheTest, ExtraFieldIsRefused) {
  EXPECT_FALSE(load("etcd v1 " + kDigest + " ;id\n").has_value());
}

// The cache must hold what the cluster runs: the plan's Kubernetes, the pinned etcd and kwok.
TEST(BinaryVersionsTest, RefusesACacheOfAnotherVersionThanTheClusterRuns) {
  auto binary = [](const char* name, const char* version) {
    return Binary{name, version, kDigest, std::string("/cache/") + name};
  };
  const std::string etcd(model::pinned::kEtcdVersion);
  EXPECT_TRUE(check_binary_versions({binary("kube-apiserver", "v1.35.0"),
                                     binary("etcd", etcd.c_str()), binary("helper", "v9")},
                                    "v1.35.0")
                  .has_value());
  auto older = check_binary_versions({binary("kubectl", "v1.34.1")}, "v1.37.2");
  ASSERT_FALSE(older.has_value());
  EXPECT_EQ(older.error().code, util::ErrorCode::kFailedPrecondition);
  EXPECT_NE(older.error().message.find("kubectl v1.34.1"), std::string::npos);
  EXPECT_NE(older.error().message.find("v1.37.2"), std::string::npos);
  EXPECT_FALSE(check_binary_versions({binary("etcd", "v3.5.0")}, "v1.37.2").has_value());
}

TEST(DefaultBinaryCacheTest, IsTheDirectoryOfThePlansKubernetesVersion) {
  model::Cluster cluster;
  EXPECT_EQ(default_binary_cache(cluster),
            "/var/cache/zerospof/binaries/" + std::string(model::pinned::kKubernetesVersion));
  cluster.kubernetes.version = "v1.35";
  EXPECT_EQ(default_binary_cache(cluster), "/var/cache/zerospof/binaries/v1.35");
}

// A Cluster need not come from the loader (the lab builds one): the version is checked again
// where it becomes a path.
TEST(DefaultBinaryCacheTest, RefusesAVersionThatIsNotOneInertWord) {
  model::Cluster cluster;
  for (const char* version : {"", "v1.37.2/../../../etc", "v1.37.2 x", "v1.37.2;id", "1.37.2"}) {
    cluster.kubernetes.version = version;
    auto cache = default_binary_cache(cluster);
    ASSERT_FALSE(cache.has_value()) << version;
    EXPECT_EQ(cache.error().code, util::ErrorCode::kInvalidInput);
  }
}

TEST_F(BinaryCacheTest, AWriterInstallsNothingUntilItCommits) {
  std::string cache = directory_ + "/v1.37.2";
  {
    auto writer = CacheWriter::begin(cache);
    ASSERT_TRUE(writer.has_value()) << writer.error().message;
    ASSERT_TRUE(writer->add("etcd", "v3.6.16", "#!/bin/sh\n").has_value());
    EXPECT_FALSE(std::filesystem::exists(cache));
  }
  // Dropped without commit: no cache, no staging directory left beside it.
  EXPECT_FALSE(std::filesystem::exists(cache));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(directory_),
                          std::filesystem::directory_iterator()),
            0);
}

TEST_F(BinaryCacheTest, ACommitMovesTheProgramsInAndKeepsTheOtherLinesOfTheManifest) {
  ASSERT_TRUE(load("kwok v0.8.0 " + kDigest + "\n").has_value());
  ASSERT_TRUE(util::write_file_atomic(directory_ + "/kwok", "old", {0755, true}).has_value());
  auto writer = CacheWriter::begin(directory_);
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE(writer->add("runc", "v1.5.3", "runc bytes").has_value());
  EXPECT_FALSE(writer->add("../runc", "v1", "x").has_value());
  ASSERT_TRUE(writer->commit().has_value());
  auto binaries = load_binary_cache(directory_);
  ASSERT_TRUE(binaries.has_value());
  ASSERT_EQ(binaries->size(), 2u);
  EXPECT_EQ(binaries->at(0).name, "kwok");
  EXPECT_EQ(binaries->at(1).name, "runc");
  EXPECT_EQ(binaries->at(1).version, "v1.5.3");
  EXPECT_EQ(binaries->at(1).sha256, util::sha256_hex("runc bytes"));
  EXPECT_EQ(util::read_file(directory_ + "/runc").value_or(""), "runc bytes");
  EXPECT_EQ(std::filesystem::status(directory_ + "/runc").permissions() &
                std::filesystem::perms::owner_exec,
            std::filesystem::perms::owner_exec);
}

TEST_F(BinaryCacheTest, CommitsAtTheSameTimeKeepEveryLine) {
  // Given eight writers committing different programs to one cache at once (eight fetches),
  // every program should be in the manifest afterwards: each commit reads the manifest and
  // writes it back, so without a lock the last writer would drop the others' lines.
  const std::string cache = directory_ + "/v1.37.2";
  for (int round = 0; round < 5; ++round) {
    std::vector<std::thread> writers;
    for (int i = 0; i < 8; ++i)
      writers.emplace_back([&, i] {
        auto writer = CacheWriter::begin(cache);
        ASSERT_TRUE(writer.has_value());
        const std::string name = fmt::format("program{}-{}", round, i);
        ASSERT_TRUE(writer->add(name, "v1", name).has_value());
        ASSERT_TRUE(writer->commit().has_value());
      });
    for (auto& writer : writers) writer.join();
  }
  auto binaries = load_binary_cache(cache);
  ASSERT_TRUE(binaries.has_value()) << binaries.error().message;
  EXPECT_EQ(binaries->size(), 40u);
}

}  // namespace
}  // namespace zerospof::binaries
