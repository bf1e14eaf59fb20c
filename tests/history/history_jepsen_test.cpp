#include <gtest/gtest.h>

#include "history/history.h"
#include "test_histories.h"

namespace zerospof::history {
namespace {

TEST(JepsenLog, PairsInvocationsWithCompletionsByProcess) {
  // Given two interleaved processes, each operation should carry its own completion.
  const History history = testing::jepsen(
      "INFO  jepsen.util - 0\t:invoke\t:write\t4\n"
      "INFO  jepsen.util - 1\t:invoke\t:cas\t[4 0]\n"
      "INFO  jepsen.util - 0\t:ok\t:write\t4\n"
      "INFO  jepsen.util - 1\t:fail\t:cas\t[4 0]\n"
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 0\t:ok\t:read\t4\n");
  ASSERT_EQ(history.operations.size(), 3u);
  EXPECT_EQ(history.format, HistoryFormat::kJepsen);
  EXPECT_EQ(describe(history.operations[0]), "write \"4\"");
  EXPECT_EQ(history.operations[0].complete_line, 3);
  EXPECT_EQ(describe(history.operations[1]), "cas \"4\" -> \"0\" (failed)");
  EXPECT_EQ(describe(history.operations[2]), "read -> \"4\"");
}

TEST(JepsenLog, InfoAndTimedOutAndOpenOperationsAreUnknown) {
  // Given an :info write, a timed-out read and an invocation never completed, all three should
  // have an unknown outcome; the never-completed one completes at kNever.
  const History history = testing::jepsen(
      "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 0\t:info\t:write\t:timed-out\n"
      "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 1\t:fail\t:read\t:timed-out\n"
      "INFO  jepsen.util - 2\t:invoke\t:cas\t[1 2]\n");
  ASSERT_EQ(history.operations.size(), 3u);
  for (const Operation& operation : history.operations)
    EXPECT_EQ(operation.outcome, Outcome::kUnknown) << describe(operation);
  EXPECT_EQ(history.operations[0].complete_line, 2);
  EXPECT_EQ(history.operations[2].complete_time, kNever);
}

TEST(JepsenLog, NemesisLinesAreSkipped) {
  const History history = testing::jepsen("INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n");
  EXPECT_TRUE(history.operations.empty());
}

TEST(JepsenLog, ErrorsPointAtTheOffendingToken) {
  // Given an unknown function on line 2, the error should be file:2:col with a caret there.
  const auto history = parse_jepsen_log(
      "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 1\t:invoke\t:delete\tnil\n",
      "etcd.log");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code, util::ErrorCode::kInvalidInput);
  EXPECT_EQ(history.error().where.to_string(), "etcd.log:2:31");
  EXPECT_EQ(util::format_error(history.error()),
            "etcd.log:2:31: error: expected :read, :write or :cas\n"
            "  INFO  jepsen.util - 1\t:invoke\t:delete\tnil\n"
            "                       \t       \t^\n");
}

TEST(JepsenLog, CompletionWithoutInvocationIsAnError) {
  const auto history = parse_jepsen_log("INFO  jepsen.util - 3\t:ok\t:read\tnil\n", "x.log");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().message, "process 3 completes an operation it never invoked");
}

TEST(JepsenLog, MalformedCasValueIsAnError) {
  const auto history = parse_jepsen_log("INFO  jepsen.util - 3\t:invoke\t:cas\t[1\n", "x.log");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().message, "expected [FROM TO], two integers, for :cas");
}

}  // namespace
}  // namespace zerospof::history
