// The binary cache's manifest: its fields go unquoted into root shell scripts, so each must be
// an inert word (issue 11, item 3).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "apply/apply.h"
#include "util/files.h"

namespace zerospof::apply {
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

}  // namespace
}  // namespace zerospof::apply
