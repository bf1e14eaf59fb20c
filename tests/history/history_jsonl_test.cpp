#include <gtest/gtest.h>

#include "history/history.h"
#include "history/history_generator.h"
#include "test_histories.h"

namespace zerospof::history {
namespace {

TEST(JsonLinesHistory, OrdersOperationsByTheirOwnClock) {
  // Given two probes appending to one file out of time order, operations should be sorted by
  // invocation time.
  const History history = testing::jsonl(R"(
{"type":"invoke","process":1,"time":50,"f":"write","key":"a","value":7}
{"type":"ok","process":1,"time":60,"f":"write","key":"a","value":7}
{"type":"invoke","process":0,"time":10,"f":"cas","key":"a","value":[null,"x"]}
{"type":"fail","process":0,"time":20,"f":"cas","key":"a","value":[null,"x"]}
)");
  ASSERT_EQ(history.operations.size(), 2u);
  EXPECT_EQ(describe(history.operations[0]), "cas nil -> \"x\" (failed)");
  EXPECT_EQ(describe(history.operations[1]), "write \"7\"");
}

TEST(JsonLinesHistory, TimedOutFailIsUnknown) {
  const History history = testing::jsonl(R"(
{"type":"invoke","process":0,"time":1,"f":"append","key":"k","value":"v"}
{"type":"fail","process":0,"time":2,"f":"append","key":"k","timed_out":true}
)");
  ASSERT_EQ(history.operations.size(), 1u);
  EXPECT_EQ(history.operations[0].outcome, Outcome::kUnknown);
}

TEST(JsonLinesHistory, SyntaxErrorsGiveLineAndColumn) {
  const auto history = parse_jsonl_history("\n{\"type\": \"invoke\", }\n", "h.jsonl");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().where.to_string(), "h.jsonl:2:20");
  EXPECT_TRUE(history.error().message.starts_with("not a JSON object")) << history.error().message;
}

TEST(JsonLinesHistory, CompletionBeforeInvocationIsAnError) {
  const auto history = parse_jsonl_history(
      R"({"type":"invoke","process":0,"time":5,"f":"read"}
{"type":"ok","process":0,"time":4,"f":"read","value":null})",
      "h.jsonl");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().message, "completion time 4 is before the invocation time 5 on line 1");
}

TEST(JsonLinesHistory, WrongFieldTypesAreNamed) {
  const auto history =
      parse_jsonl_history(R"({"type":"invoke","process":-1,"time":5,"f":"read"})", "h.jsonl");
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().message, "expected \"process\" with a non-negative integer");
  EXPECT_EQ(history.error().where.column, 18);
}

TEST(JsonLinesHistory, WriterAndParserRoundTrip) {
  // Given a generated history, writing and reading it back should give the same operations.
  GeneratorOptions options;
  options.operations = 300;
  options.keys = 3;
  options.unknown_per_mille = 100;
  const History original = generate_history(options);
  const History copy = testing::jsonl(to_jsonl(original));
  ASSERT_EQ(copy.operations.size(), original.operations.size());
  for (std::size_t i = 0; i < copy.operations.size(); ++i) {
    EXPECT_EQ(describe(copy.operations[i]), describe(original.operations[i])) << i;
    EXPECT_EQ(copy.operations[i].key, original.operations[i].key) << i;
    EXPECT_EQ(copy.operations[i].complete_time, original.operations[i].complete_time) << i;
  }
}

}  // namespace
}  // namespace zerospof::history

namespace zerospof::history {
namespace {

TEST(JsonLinesHistory, NumberTooLargeIsAnErrorNotACrash) {
  // Found by fuzz/history_fuzzer: the JSON library throws out_of_range, not parse_error.
  const auto history = parse_jsonl_history(std::string(40, '8') + "E888", "h.jsonl");
  ASSERT_FALSE(history);
  EXPECT_TRUE(history.error().message.starts_with("not a JSON object")) << history.error().message;
}

}  // namespace
}  // namespace zerospof::history
