#include "history/history.h"

#include <gtest/gtest.h>

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

TEST(LoadHistory, MissingFileIsAnError) {
  EXPECT_FALSE(load_history("/nonexistent/history.log", std::nullopt));
}

}  // namespace
}  // namespace zerospof::history
