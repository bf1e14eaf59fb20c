#include "history/history_builder.h"

#include <gtest/gtest.h>

namespace zerospof::history {
namespace {

const SourceLine kLine{"h", 1, "line"};

TEST(HistoryBuilder, FailedWriteIsDroppedFailedCasIsKept) {
  HistoryBuilder builder("h", HistoryFormat::kJsonLines);
  ASSERT_TRUE(builder.add({EventType::kInvoke, 0, Function::kWrite, "", Value("1")}, kLine));
  ASSERT_TRUE(builder.add({EventType::kFail, 0, Function::kWrite}, kLine));
  ASSERT_TRUE(
      builder.add({EventType::kInvoke, 0, Function::kCompareAndSet, "", Value("2")}, kLine));
  ASSERT_TRUE(builder.add({EventType::kFail, 0, Function::kCompareAndSet}, kLine));
  const History history = std::move(builder).finish();
  ASSERT_EQ(history.operations.size(), 1u);
  EXPECT_EQ(history.operations[0].outcome, Outcome::kFailed);
}

TEST(HistoryBuilder, SecondInvocationWhileInFlightIsAnError) {
  HistoryBuilder builder("h", HistoryFormat::kJsonLines);
  ASSERT_TRUE(builder.add({EventType::kInvoke, 4, Function::kRead}, kLine));
  const auto status = builder.add({EventType::kInvoke, 4, Function::kRead}, kLine);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "process 4 invokes an operation while its operation from line 1 is still in flight");
}

TEST(HistoryBuilder, CompletionOfAnotherFunctionIsAnError) {
  HistoryBuilder builder("h", HistoryFormat::kJsonLines);
  ASSERT_TRUE(builder.add({EventType::kInvoke, 4, Function::kRead}, kLine));
  const auto status = builder.add({EventType::kOk, 4, Function::kWrite}, kLine);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "process 4 completes a write but invoked a read on line 1");
}

}  // namespace
}  // namespace zerospof::history
