// The monitor's reading of node readiness: each change once, as a typed "node" event, and a node
// first seen NotReady at once (a scenario starts from a healthy cluster, so it turned).
#include "drill/monitor.h"

#include <gtest/gtest.h>

namespace zerospof::drill {
namespace {

std::vector<std::string> texts(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& event : events) out.push_back(event.text);
  return out;
}

TEST(ReadinessChangesTest, EachChangeOnceAndANodeFirstSeenNotReady) {
  std::map<std::string, bool> known;
  using Names = std::vector<std::string>;
  EXPECT_EQ(texts(readiness_changes(
                known,
                {{.name = "micklethefickle", .ready = true}, {.name = "blackboar", .ready = false}},
                100)),
            (Names{"node blackboar NotReady"}));
  EXPECT_EQ(texts(readiness_changes(
                known,
                {{.name = "micklethefickle", .ready = true}, {.name = "blackboar", .ready = false}},
                200)),
            Names{});
  std::vector<Event> changes = readiness_changes(
      known, {{.name = "micklethefickle", .ready = false}, {.name = "blackboar", .ready = true}},
      300);
  EXPECT_EQ(texts(changes), (Names{"node micklethefickle NotReady", "node blackboar Ready"}));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, "node");
  EXPECT_EQ(changes[0].node, "micklethefickle");
  EXPECT_FALSE(changes[0].ready);
  EXPECT_EQ(changes[0].at_ms, 300);
  EXPECT_EQ(changes[1].node, "blackboar");
  EXPECT_TRUE(changes[1].ready);
}

}  // namespace
}  // namespace zerospof::drill
