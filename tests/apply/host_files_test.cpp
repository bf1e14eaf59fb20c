// files_to_write and load_bundle against real files (LocalTransport, a temporary directory).
#include "apply/host_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "apply/apply.h"
#include "transport/local_transport.h"

namespace zerospof::apply {
namespace {

class HostFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "zerospof-files-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  transport::LocalTransport local_;
};

TEST_F(HostFilesTest, ListsMissingChangedAndWrongModeFilesOnly) {
  std::vector<transport::FileSpec> wanted{{dir_ + "/same", "a\n", 0644},
                                          {dir_ + "/changed", "new", 0644},
                                          {dir_ + "/mode", "m", 0600},
                                          {dir_ + "/missing", "", 0644},
                                          {dir_ + "/binary", std::string("\0\n\0", 3), 0644}};
  ASSERT_TRUE(local_.put_file("", {dir_ + "/same", "a\n", 0644}));
  ASSERT_TRUE(local_.put_file("", {dir_ + "/changed", "old", 0644}));
  ASSERT_TRUE(local_.put_file("", {dir_ + "/mode", "m", 0644}));
  ASSERT_TRUE(local_.put_file("", {dir_ + "/binary", std::string("\0\n\0", 3), 0644}));
  auto differing = files_to_write(local_, "", wanted);
  ASSERT_TRUE(differing.has_value()) << differing.error().message;
  std::vector<std::string> paths;
  for (const auto& file : *differing) paths.push_back(file.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{dir_ + "/changed", dir_ + "/mode", dir_ + "/missing"}));
}

TEST_F(HostFilesTest, LoadBundleReadsHostsPathsAndModes) {
  ASSERT_TRUE(local_.put_file("", {dir_ + "/node1/etc/a.key", "k", 0600}));
  ASSERT_TRUE(local_.put_file("", {dir_ + "/operator/etc/admin.kubeconfig", "c", 0600}));
  ASSERT_TRUE(local_.put_file("", {dir_ + "/node1/etc/b.conf", "b", 0644}));
  // Without render's index, the directory is refused: apply never guesses what runs where.
  auto unindexed = load_bundle(dir_);
  ASSERT_FALSE(unindexed.has_value());
  EXPECT_NE(unindexed.error().message.find("has no index.json"), std::string::npos);
  render::BundleIndex index{.hosts = {{.host = "node1",
                                       .units = {{.unit = "zerospof-etcd.service",
                                                  .program = "etcd",
                                                  .flags = {{"name", "node1"}}}}}}};
  ASSERT_TRUE(local_.put_file("", {dir_ + "/index.json", render::index_json(index), 0644}));
  auto bundle = load_bundle(dir_);
  ASSERT_TRUE(bundle.has_value()) << bundle.error().message;
  ASSERT_EQ(bundle->files.size(), 3u);
  EXPECT_EQ(bundle->files[0].host, "");
  EXPECT_EQ(bundle->files[0].path, "/etc/admin.kubeconfig");
  EXPECT_EQ(bundle->files[1].path, "/etc/a.key");
  EXPECT_EQ(bundle->files[1].mode, 0600u);
  EXPECT_TRUE(bundle->files[1].secret);
  EXPECT_FALSE(bundle->files[2].secret);
  ASSERT_NE(bundle->index.find("node1"), nullptr);
  EXPECT_EQ(bundle->index.find("node1")->programs(), std::vector<std::string>{"etcd"});
  EXPECT_FALSE(load_bundle(dir_ + "/none").has_value());
}

}  // namespace
}  // namespace zerospof::apply
