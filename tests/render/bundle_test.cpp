// The bundle as a whole: sorted, keys secret, the failover budget stated, written with modes,
// and never over a directory that render did not write.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

TEST(BundleTest, FilesAreSortedAndKeysAreSecret) {
  const Bundle& bundle = testing::rendered().bundle;
  ASSERT_FALSE(bundle.files.empty());
  for (size_t i = 1; i < bundle.files.size(); ++i)
    EXPECT_LT(std::tie(bundle.files[i - 1].host, bundle.files[i - 1].path),
              std::tie(bundle.files[i].host, bundle.files[i].path));
  for (const File& file : bundle.files) {
    bool has_key = file.content.find("PRIVATE KEY") != std::string::npos ||
                   file.content.find("client-key-data") != std::string::npos;
    EXPECT_EQ(has_key, file.secret) << file.host << ":" << file.path;
    if (file.secret) {
      EXPECT_EQ(file.mode, 0600u) << file.path;
    }
  }
}

TEST(BundleTest, ExpectedFailoverFollowsTheTuning) {
  EXPECT_EQ(testing::rendered().bundle.expected_failover,
            "API endpoint failover ≈ 3.609 s (3 × 1 s VRRP adverts + skew); dead apiserver out "
            "of the pool ≈ 3 s (3 × 1 s /readyz checks); etcd leader re-elected ≈ 1 s; "
            "controller-manager/scheduler leader ≤ 17 s (lease + retry); node NotReady after "
            "40 s, its pods evicted 300 s later");
}

TEST(BundleTest, WrittenFilesKeepTheirModes) {
  const testing::Rendered& r = testing::rendered();
  struct stat info;
  std::string key = testing::written_path(r, "cloudserver1", "/etc/zerospof/pki/apiserver.key");
  ASSERT_EQ(::stat(key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::string admin = testing::written_path(r, "", "/etc/zerospof/kubeconfig/admin.conf");
  ASSERT_EQ(::stat(admin.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(BundleTest, RefusesADirectoryItDidNotWrite) {
  std::string directory = testing::temporary_directory("foreign");
  testing::write_text(directory + "/notes.txt", "mine");
  auto written = write_bundle(testing::rendered().bundle, directory);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, util::ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(std::filesystem::exists(directory + "/notes.txt"));
  EXPECT_FALSE(std::filesystem::exists(directory + "/operator"));
  // Its own earlier output is fine.
  EXPECT_TRUE(write_bundle(testing::rendered().bundle, testing::rendered().directory));
}

TEST(BundleTest, PlanWithoutAddressesIsInvalidInputAtTheNode) {
  model::Cluster cluster = zerospof::testing::load_plan(plan::builtin_plan_yaml());
  auto bundle = render(cluster, testing::rendered().options);
  ASSERT_FALSE(bundle);
  EXPECT_EQ(bundle.error().code, util::ErrorCode::kInvalidInput);
  EXPECT_NE(bundle.error().message.find("micklethefickle has no address"), std::string::npos);
}

// Issue 11, item 2: a newline in --interface added keepalived blocks.
TEST(BundleTest, InterfaceThatIsNotAnInterfaceNameIsInvalidInput) {
  RenderOptions options = testing::rendered().options;
  options.interface = "eth0\n}\nvrrp_script inject {\n  script \"/bin/sh -c id\"";
  auto bundle = render(testing::rendered().cluster, options);
  ASSERT_FALSE(bundle);
  EXPECT_EQ(bundle.error().code, util::ErrorCode::kInvalidInput);
  EXPECT_NE(bundle.error().message.find("--interface"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::render
