#include "history/history.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "test_histories.h"

namespace zerospof::history {
namespace {

TEST(HistoryFormat, IsDetectedFromTheFirstLine) {
  EXPECT_EQ(detect_history_format("\n  {\"type\":\"invoke\"}"), HistoryFormat::kJsonLines);
  EXPECT_EQ(detect_history_format("{:process 0}"), HistoryFormat::kEdn);
  EXPECT_EQ(detect_history_format("INFO  jepsen.util - 0"), HistoryFormat::kJepsen);
}

TEST(HistoryFormat, UnknownNameIsInvalidInput) {
  const auto format = parse_history_format("yaml");
  ASSERT_FALSE(format);
  EXPECT_EQ(util::exit_code_for(format.error()), 2);
}

TEST(LoadHistory, ReadsABundledFileWithTheDetectedFormat) {
  const auto history =
      load_history((testing::shared_testdata() / "kv" / "c01-ok.txt").string(), std::nullopt);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->format, HistoryFormat::kEdn);
  EXPECT_EQ(history->operations.size(), 58u);
}

TEST(LoadHistory, AnEmptyHistoryIsInvalidInputNotLinearizable) {
  // Given a file with no operations (a drill whose probes never ran), loading it should be an
  // error at file:1:1, not a history that every check would pass.
  const std::string path = ::testing::TempDir() + "/empty.jsonl";
  std::FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("\n", file);
  std::fclose(file);
  const auto history = load_history(path, std::nullopt);
  ASSERT_FALSE(history);
  EXPECT_EQ(util::exit_code_for(history.error()), 2);
  EXPECT_EQ(history.error().where.to_string(), path + ":1:1");
  std::remove(path.c_str());
}

TEST(LoadHistory, MissingFileIsAnError) {
  EXPECT_FALSE(load_history("/nonexistent/history.log", std::nullopt));
}

}  // namespace
}  // namespace zerospof::history
