// The bundle as a whole: sorted, keys secret, the failover budget stated, written with modes,
// and never over a directory that render did not write.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "render/layout.h"
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
            "tuning fast: API endpoint failover ≈ 0.761 s (3 × 0.2 s VRRP adverts + skew), "
            "≈ 0.561 s when only its HAProxy dies, ≈ 1.361 s when it hangs; dead apiserver out "
            "of the pool ≈ 0.6 s "
            "(3 × 0.2 s /readyz checks); etcd leader re-elected ≤ 1.1 s; "
            "controller-manager/scheduler leader ≤ 4.5 s (lease + retry); node NotReady after "
            "9 s, its pods evicted 2 s later, each further dead node's 0.5 s after the one before");
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

TEST(BundleTest, RefusesItsOwnEarlierOutputOnceOthersCanWriteIntoIt) {
  // A marker proves render wrote the directory once, not that nobody else can reach it since:
  // root rendering the CA key into a directory another user controls hands them the key.
  std::string directory = testing::temporary_directory("marked");
  ASSERT_TRUE(write_bundle(testing::rendered().bundle, directory));
  ::chmod(directory.c_str(), 0777);
  auto open = write_bundle(testing::rendered().bundle, directory);
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, util::ErrorCode::kFailedPrecondition);
  ::chmod(directory.c_str(), 0700);
  if (::geteuid() != 0) GTEST_SKIP() << "giving a directory to another user needs root";
  ASSERT_EQ(::chown(directory.c_str(), 65534, 65534), 0);
  auto foreign = write_bundle(testing::rendered().bundle, directory);
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("owned by user 65534"), std::string::npos);
}

TEST(BundleTest, RenderingAgainRemovesWhatTheEarlierRenderMadeAndThisOneDoesNot) {
  // Switching from a VIP to local proxies: keepalived.conf must not linger with the old VIP for
  // `--render-dir` to start, and a file the user put there must stay.
  std::string directory = testing::temporary_directory("again");
  ASSERT_TRUE(write_bundle(testing::rendered(testing::Variant::kVip).bundle, directory));
  std::string keepalived = directory + "/cloudserver1" + layout::kKeepalivedConfig;
  ASSERT_TRUE(std::filesystem::exists(keepalived));
  std::string users = directory + "/cloudserver1/etc/keepalived/notes.txt";
  testing::write_text(users, "mine");

  const Bundle& local_proxy = testing::rendered(testing::Variant::kLocalProxy).bundle;
  ASSERT_TRUE(write_bundle(local_proxy, directory));
  EXPECT_FALSE(std::filesystem::exists(keepalived));
  EXPECT_TRUE(std::filesystem::exists(users));
  for (const File& file : local_proxy.files)
    EXPECT_TRUE(std::filesystem::exists(directory + "/" +
                                        (file.host.empty() ? "operator" : file.host) + file.path))
        << file.path;
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
