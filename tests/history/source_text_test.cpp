#include "history/source_text.h"

#include <gtest/gtest.h>

namespace zerospof::history {
namespace {

TEST(SourceText, SplitsLinesAndDropsCarriageReturns) {
  const auto lines = split_lines("a\r\nb\n\nc", "f");
  ASSERT_TRUE(lines);
  ASSERT_EQ(lines->size(), 4u);
  EXPECT_EQ((*lines)[0].text, "a");
  EXPECT_EQ((*lines)[3].text, "c");
  EXPECT_EQ((*lines)[3].number, 4);
}

TEST(SourceText, RejectsInvalidUtf8WithItsColumn) {
  // Given an overlong encoding of '/' on line 2, the error should point at its first byte.
  const auto lines = split_lines("ok\nab\xC0\xAF\n", "f");
  ASSERT_FALSE(lines);
  EXPECT_EQ(lines.error().where.to_string(), "f:2:3");
  EXPECT_TRUE(lines.error().source_line.empty());  // never echo broken bytes to a terminal
}

TEST(SourceText, RejectsNulAndSurrogates) {
  EXPECT_FALSE(split_lines(std::string_view("a\0b", 3), "f"));
  EXPECT_FALSE(split_lines("\xED\xA0\x80", "f"));
  EXPECT_TRUE(split_lines("caf\xC3\xA9 \xF0\x9F\x99\x82", "f"));
}

}  // namespace
}  // namespace zerospof::history
