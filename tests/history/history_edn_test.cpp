#include <gtest/gtest.h>

#include "history/history.h"

namespace zerospof::history {
namespace {

TEST(EdnHistory, ReadsKeyValueOperations) {
  // Given a get of a missing key and an append, both should be read with their keys; get and
  // put are a read and a write.
  const auto history = parse_edn_history(
      R"({:process 0, :type :invoke, :f :get, :key "5", :value nil}
{:process 0, :type :ok, :f :get, :key "5", :value ""}
{:process 1, :type :invoke, :f :append, :key "0", :value "x 0 0 y", :time 12}
{:process 1, :type :ok, :f :append, :key "0", :value "x 0 0 y"})",
      "kv.edn");
  ASSERT_TRUE(history) << history.error().message;
  ASSERT_EQ(history->operations.size(), 2u);
  EXPECT_EQ(history->operations[0].key, "5");
  EXPECT_EQ(history->operations[0].function, Function::kRead);
  EXPECT_EQ(history->operations[0].observed, Value(""));
  EXPECT_EQ(describe(history->operations[1]), "append \"x 0 0 y\"");
}

TEST(EdnHistory, ReadsRegisterCasAsVector) {
  const auto history = parse_edn_history(
      "{:process 2 :type :invoke :f :cas :value [1 2]}\n"
      "{:process 2 :type :info :f :cas :value :timed-out}\n",
      "r.edn");
  ASSERT_TRUE(history) << history.error().message;
  ASSERT_EQ(history->operations.size(), 1u);
  EXPECT_EQ(history->operations[0].expected, Value("1"));
  EXPECT_EQ(history->operations[0].argument, Value("2"));
  EXPECT_EQ(history->operations[0].outcome, Outcome::kUnknown);
}

TEST(EdnHistory, UnterminatedStringIsAnErrorAtTheLineEnd) {
  const auto history =
      parse_edn_history("{:process 0, :type :invoke, :f :get, :key \"5}\n", "kv.edn");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().message, "unterminated string");
  EXPECT_EQ(history.error().where.to_string(), "kv.edn:1:46");
}

TEST(EdnHistory, MissingFieldIsNamed) {
  const auto history = parse_edn_history("{:process 0, :f :get}\n", "kv.edn");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().message, "the map has no :type");
}

TEST(EdnHistory, DeeplyNestedVectorsAreRejectedNotRecursedInto) {
  const auto history = parse_edn_history("{:process " + std::string(100000, '[') + "}", "x.edn");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().message, "vectors nested too deeply");
}

}  // namespace
}  // namespace zerospof::history
