// One way to check and measure users' text: UTF-8 by RFC 3629, columns in characters, and a
// caret under the right character whatever the bytes before it.
#include "util/source_text.h"

#include <gtest/gtest.h>

namespace zerospof::util {
namespace {

TEST(SourceTextTest, Utf8SequencesFollowRfc3629) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 0), 2u);          // é
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);      // €
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80", 0), 4u);  // U+1F600
  for (const char* broken : {"\xc0\xaf",                       // overlong '/'
                             "\xe0\x80\xaf",                   // overlong, three bytes
                             "\xed\xa0\x80",                   // a surrogate
                             "\xf4\x90\x80\x80",               // above U+10FFFF
                             "\xe2\x82",                       // cut short
                             "\x80"})                          // a continuation byte alone
    EXPECT_EQ(utf8_sequence_length(broken, 0), 0u) << testing::PrintToString(broken);
}

TEST(SourceTextTest, TheFirstInvalidByteIsPlacedInCharacters) {
  EXPECT_FALSE(first_invalid_byte("héllo\nwörld\n").has_value());
  auto bad = first_invalid_byte("a: 1\nnäme: \xff\n");
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->line, 2);
  EXPECT_EQ(bad->column, 7);  // n ä m e : space, then the bad byte
  EXPECT_EQ(bad->offset, 12u);
  EXPECT_FALSE(bad->nul);
  auto nul = first_invalid_byte(std::string_view("ab\0", 3));
  ASSERT_TRUE(nul.has_value());
  EXPECT_TRUE(nul->nul);
  EXPECT_EQ(nul->column, 3);
}

TEST(SourceTextTest, ColumnsAndPrefixesCountCharacters) {
  const std::string line = "€€x";
  EXPECT_EQ(column_at(line, 0), 1);
  EXPECT_EQ(column_at(line, 3), 2);
  EXPECT_EQ(column_at(line, 6), 3);
  EXPECT_EQ(before_column(line, 3), "€€");
  EXPECT_EQ(before_column(line, 1), "");
}

TEST(SourceTextTest, TheCaretStandsUnderTheCharacterAfterMultibyteText) {
  Error error = source_error("plan.yaml", 4, 7, "  zöne: x", "bad zone");
  EXPECT_EQ(format_error(error), "plan.yaml:4:7: error: bad zone\n    zöne: x\n        ^\n");
  Error tabbed = source_error("h.txt", 1, 3, "\tä!", "here");
  EXPECT_EQ(format_error(tabbed), "h.txt:1:3: error: here\n  \tä!\n  \t ^\n");
}

TEST(SourceTextTest, ALongOrBrokenLineIsNotEchoed) {
  EXPECT_EQ(source_error("f", 1, 1, std::string(301, 'x'), "m").source_line, "");
  EXPECT_EQ(source_error("f", 1, 1, "a\xff", "m").source_line, "");
  EXPECT_EQ(source_error("f", 1, 1, "ok", "m").source_line, "ok");
}

}  // namespace
}  // namespace zerospof::util
