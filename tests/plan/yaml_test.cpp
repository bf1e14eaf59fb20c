#include "plan/yaml.h"

#include <gtest/gtest.h>

#include <chrono>

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

// Issue 11, items 15-17: any input of at most 10 MB is answered within 2 s (and 256 MB, which
// the alias test would exceed by far if expansion were not counted). The bound guards against a
// quadratic or exponential path (minutes, not seconds); under AddressSanitizer, on a machine
// shared with a lab, everything runs several times slower, so the bound grows with it.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kSlowdown = 5;
#else
constexpr int kSlowdown = 1;
#endif

class YamlLimitsTest : public ::testing::Test {
 protected:
  util::Result<std::vector<YamlNode>> timed_parse(const std::string& text) {
    auto start = std::chrono::steady_clock::now();
    auto result = parse(text);
    EXPECT_LT(std::chrono::steady_clock::now() - start, kSlowdown * std::chrono::seconds(2));
    return result;
  }
};

TEST_F(YamlLimitsTest, DeepNestingIsAnErrorNotAStackOverflow) {
  auto documents = timed_parse("a: " + std::string(400'000, '[') + std::string(400'000, ']'));
  ASSERT_FALSE(documents);
  EXPECT_NE(documents.error().message.find("nests deeper"), std::string::npos);
  EXPECT_GT(documents.error().where.line, 0);
}

TEST_F(YamlLimitsTest, AliasesOfAliasesAreCountedAsExpanded) {
  // Each level doubles the tree: 2^40 nodes described in under 2 kB.
  std::string text = "l0: &l0 [x, x]\n";
  for (int level = 1; level <= 40; ++level)
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [*l" +
            std::to_string(level - 1) + ", *l" + std::to_string(level - 1) + "]\n";
  auto documents = timed_parse(text);
  ASSERT_FALSE(documents);
  EXPECT_NE(documents.error().message.find("too many"), std::string::npos);
}

TEST_F(YamlLimitsTest, AliasOfALargeScalarCountsItsBytes) {
  std::string text = "big: &big " + std::string(1 << 20, 'x') + "\nmany: [";
  for (int i = 0; i < 100; ++i) text += "*big, ";
  auto documents = timed_parse(text + "*big]\n");
  ASSERT_FALSE(documents);
}

TEST_F(YamlLimitsTest, DuplicateKeyCheckOfAMegabyteMappingIsFast) {
  std::string text;
  for (int i = 0; text.size() < (1 << 20); ++i) text += "key" + std::to_string(i) + ": 1\n";
  auto documents = timed_parse(text);
  ASSERT_TRUE(documents) << util::format_error(documents.error());
  text += "key7: 2\n";
  EXPECT_FALSE(timed_parse(text));
}

// Not met yet: libfyaml reads the whole of a 10 MB flow sequence (6 s, 2.2 GB) before the
// node limit can stop it. Enable once the parser is bounded too (issue 11, item 19).
TEST_F(YamlLimitsTest, DISABLED_TenMegabytesOfTinyNodesIsAnsweredInTime) {
  std::string text = "[";
  while (text.size() < (10 << 20) - 4) text += "1,";
  EXPECT_FALSE(timed_parse(text + "1]"));
}

// The one YAML access render uses on upstream manifests: which object a document is, and a
// patch merged at a path.
TEST(YamlObjectTest, IdentityIsReadAsYamlNotAsText) {
  auto identity = object_identity(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
      "  namespace: x\n  name: web\n");
  ASSERT_TRUE(identity.has_value());
  EXPECT_EQ(identity->kind, "Deployment");
  EXPECT_EQ(identity->name, "web");
  // The words in a comment or another field do not make it that object.
  auto other = object_identity("# kind: Deployment\nkind: Service\nmetadata: {name: web}\n");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->kind, "Service");
  EXPECT_FALSE(object_identity("- a\n- b\n").has_value());
}

TEST(YamlObjectTest, APatchReplacesTheKeysAtItsPath) {
  auto merged = merge_yaml("kind: Deployment\nspec:\n  replicas: 1\n  paused: false\n",
                           {{"/spec", "replicas: 3"}}, "test document");
  ASSERT_TRUE(merged.has_value()) << merged.error().message;
  EXPECT_NE(merged->find("replicas: 3"), std::string::npos) << *merged;
  EXPECT_NE(merged->find("paused: false"), std::string::npos) << *merged;
  EXPECT_EQ(merged->find("replicas: 1"), std::string::npos) << *merged;
}

}  // namespace
}  // namespace zerospof::plan
