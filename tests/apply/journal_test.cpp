// Journal: append-only, one line per record, private to its owner, survives reopening.
#include "apply/journal.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "util/files.h"

namespace zerospof::apply {
namespace {

TEST(JournalTest, AppendsTimestampedLinesAcrossReopeningAndIsPrivate) {
  std::string dir = (std::filesystem::temp_directory_path() / "zerospof-journal-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string path = dir + "/state/journal";
  {
    auto journal = Journal::open(path);
    ASSERT_TRUE(journal.has_value()) << journal.error().message;
    ASSERT_TRUE((*journal)->record("changed a@h1"));
  }
  {
    auto journal = Journal::open(path);
    ASSERT_TRUE(journal.has_value());
    ASSERT_TRUE((*journal)->record("unchanged b@h2"));
  }
  std::string text = util::read_file(path).value_or("");
  auto first_end = text.find('\n');
  ASSERT_NE(first_end, std::string::npos);
  EXPECT_NE(text.substr(0, first_end).find("Z changed a@h1"), std::string::npos) << text;
  EXPECT_NE(text.find("Z unchanged b@h2\n"), std::string::npos) << text;
  EXPECT_EQ(std::filesystem::status(path).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zerospof::apply
