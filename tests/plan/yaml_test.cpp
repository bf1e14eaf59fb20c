#include "plan/yaml.h"

#include <gtest/gtest.h>

namespace zerospof::plan {
namespace {

util::Result<std::vector<YamlNode>> parse(const std::string& text) {
  SourceText source("in.yaml", text);
  return parse_yaml(text, source);
}

TEST(YamlTest, NodesKeepTheirLineAndColumn) {
  auto documents = parse("a:\n  b: [1, 2]\n  c: x\n");
  ASSERT_TRUE(documents) << util::format_error(documents.error());
  const YamlNode* c = documents->front().find("a")->find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->scalar, "x");
  EXPECT_EQ(c->where.line, 3);
  EXPECT_EQ(c->where.column, 6);
  EXPECT_EQ(documents->front().find("a")->find("b")->values.size(), 2u);
}

TEST(YamlTest, DuplicateKeyIsAnErrorAtTheSecondKey) {
  auto documents = parse("a: 1\nb: 2\na: 3\n");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().where.line, 3);
  EXPECT_EQ(documents.error().where.column, 1);
  EXPECT_NE(documents.error().message.find("duplicate key 'a'"), std::string::npos);
  EXPECT_NE(documents.error().hint.find("line 1"), std::string::npos);
}

TEST(YamlTest, SyntaxErrorPointsAtItsPosition) {
  auto documents = parse("a: 1\nb: [1, 2\nc: 3\n");
  ASSERT_FALSE(documents);
  EXPECT_EQ(documents.error().code, util::ErrorCode::kInvalidInput);
  EXPECT_GT(documents.error().where.line, 1);
  EXPECT_EQ(documents.error().where.file, "in.yaml");
}

// libfyaml 0.7 hangs on a `%` directive followed by invalid UTF-8; the check runs first.
TEST(YamlTest, InvalidUtf8IsRejectedBeforeParsing) {
  auto documents = parse("%YAML 1.2\xff\xfe\n---\na: 1\n");
  ASSERT_FALSE(documents);
  EXPECT_NE(documents.error().message.find("UTF-8"), std::string::npos);
  EXPECT_EQ(documents.error().where.line, 1);
  EXPECT_EQ(documents.error().where.column, 10);
}

TEST(YamlTest, NulByteIsRejected) {
  auto documents = parse(std::string("a: 1\nb: \0\n", 10));
  ASSERT_FALSE(documents);
  EXPECT_NE(documents.error().message.find("NUL"), std::string::npos);
  EXPECT_EQ(documents.error().where.line, 2);
}

TEST(YamlTest, AliasesAreExpanded) {
  auto documents = parse("base: &b {x: 1}\ncopy: *b\n");
  ASSERT_TRUE(documents);
  EXPECT_EQ(documents->front().find("copy")->find("x")->scalar, "1");
}

TEST(YamlTest, AliasBombIsBounded) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char previous = 'a';
  for (char name = 'b'; name <= 'j'; ++name) {
    text += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + previous;
    text += "]\n";
    previous = name;
  }
  auto documents = parse(text);
  ASSERT_FALSE(documents);
  EXPECT_NE(documents.error().message.find("too many"), std::string::npos);
}

TEST(YamlTest, QuotedScalarsAreNotPlain) {
  auto documents = parse("a: \"3\"\nb: 3\nc: ~\n");
  ASSERT_TRUE(documents);
  EXPECT_FALSE(documents->front().find("a")->plain);
  EXPECT_TRUE(documents->front().find("b")->plain);
  EXPECT_TRUE(documents->front().find("c")->is_null());
}

TEST(YamlTest, EveryDocumentOfAStreamIsReturned) {
  auto documents = parse("a: 1\n---\nb: 2\n---\n");
  ASSERT_TRUE(documents);
  EXPECT_EQ(documents->size(), 2u);
}

TEST(SourceTextTest, ErrorCarriesTheSourceLine) {
  SourceText source("f.yaml", "one\ntwo\nthree");
  util::Error error = source.error_at({"f.yaml", 2, 2}, "bad");
  EXPECT_EQ(error.source_line, "two");
  EXPECT_EQ(util::format_error(error), "f.yaml:2:2: error: bad\n  two\n   ^\n");
}

}  // namespace
}  // namespace zerospof::plan
