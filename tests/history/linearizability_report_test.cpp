#include "history/linearizability_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_histories.h"

namespace zerospof::history {
namespace {

const char* kLostWrite = R"(
{"type":"invoke","process":0,"time":1,"f":"write","key":"k","value":"a"}
{"type":"ok","process":0,"time":2,"f":"write","key":"k","value":"a"}
{"type":"invoke","process":1,"time":3,"f":"read","key":"k"}
{"type":"ok","process":1,"time":4,"f":"read","key":"k","value":null}
)";

TEST(LinearizabilityReport, TextNamesTheConflictThenPrefixAndBlockedOperation) {
  const History history = testing::jsonl(kLostWrite);
  const std::string text = render_text(history, check_linearizability(history), util::Style(false));
  EXPECT_EQ(text,
            "test.jsonl: 2 operations (0 of unknown outcome) on 1 key\n"
            "not linearizable\n"
            "key \"k\": these 2 operations cannot be ordered: the write of \"a\" took effect "
            "after an operation on the initial value completed and before one that still saw it "
            "was invoked\n"
            "  line 2: process 0 write \"a\", completed line 3\n"
            "  line 4: process 1 read -> nil, completed line 5\n"
            "Searched alone, their longest linearizable prefix orders 1 of 2 operations and "
            "leaves the value \"a\":\n"
            "  1. line 2: process 0 write \"a\", completed line 3\n"
            "then line 4: process 1 read -> nil, completed line 5 must take effect before it "
            "completes, but no operation that may come next can be ordered:\n"
            "  line 4: process 1 read -> nil, completed line 5: it read nil but the value was "
            "\"a\"\n");
}

TEST(LinearizabilityReport, JsonFollowsTheDocumentedSchema) {
  const History history = testing::jsonl(kLostWrite);
  const auto json = nlohmann::json::parse(render_json(history, check_linearizability(history)));
  EXPECT_EQ(json["verdict"], "not-linearizable");
  EXPECT_EQ(json["format"], "jsonl");
  EXPECT_EQ(json["keys"][0]["key"], "k");
  EXPECT_EQ(json["explanation"]["prefix"][0]["line"], 2);
  EXPECT_EQ(json["explanation"]["value_after_prefix"], "a");
  EXPECT_EQ(json["explanation"]["blocked"][0]["legal_here"], false);
  EXPECT_EQ(json["explanation"]["must_complete_first"]["index"], 1);
  EXPECT_EQ(json["explanation"]["conflicting"].size(), 2u);
  EXPECT_EQ(json["keys"][0]["method"], "version-order");
}

}  // namespace
}  // namespace zerospof::history
