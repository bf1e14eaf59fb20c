// util/files: atomic writes that never follow a planted symlink, bounded reads, and the check
// that a directory zerospof writes secrets into belongs to this user alone.
#include "util/files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace zerospof::util {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "zerospof-files-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
};

TEST_F(FilesTest, AWriteNeverFollowsASymlinkPlantedWhereItsTemporaryFileGoes) {
  // Another user who can guess the temporary name points it at a file they can read; the key
  // must not land there. Every name the old code used is planted.
  std::string target = dir_ + "/ca.key";
  std::string stolen = dir_ + "/stolen";
  for (const std::string& planted : {target + ".zerospof-tmp", dir_ + "/.ca.key.zerospof-tmp"})
    std::filesystem::create_symlink(stolen, planted);
  ASSERT_TRUE(write_file_atomic(target, "secret", {.mode = 0600}));
  EXPECT_FALSE(std::filesystem::exists(stolen));
  EXPECT_EQ(read_file(target).value_or(""), "secret");
}

TEST_F(FilesTest, AWriteLeavesNoTemporaryFileBehind) {
  ASSERT_TRUE(write_file_atomic(dir_ + "/a", "1"));
  ASSERT_TRUE(write_file_atomic(dir_ + "/a", "2", {.overwrite = true}));
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FilesTest, APrivateDirectoryMustBeOwnedByThisUserAndClosedToWrites) {
  EXPECT_TRUE(check_private_directory(dir_, "the output directory"));
  ::chmod(dir_.c_str(), 0777);
  auto open = check_private_directory(dir_, "the output directory");
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("writable by other users"), std::string::npos);
  EXPECT_NE(open.error().hint.find("chmod go-w"), std::string::npos);
  ::chmod(dir_.c_str(), 0700);

  std::string link = dir_ + "/link";
  std::filesystem::create_directory_symlink(dir_, link);
  EXPECT_FALSE(check_private_directory(link, "the output directory"));

  if (::geteuid() != 0) GTEST_SKIP() << "giving a directory to another user needs root";
  std::string theirs = dir_ + "/theirs";
  std::filesystem::create_directory(theirs);
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  auto foreign = check_private_directory(theirs, "the output directory");
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("owned by user 65534"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::util
