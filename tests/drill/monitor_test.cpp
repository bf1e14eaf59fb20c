// The monitor's reading of the nodes: each change of readiness once, as a typed "node" event, a
// node first seen NotReady at once (a scenario starts from a healthy cluster, so it turned), and
// the node controller's eviction taint when it appears.
#include "drill/monitor.h"

#include <gtest/gtest.h>

namespace zerospof::drill {
namespace {

std::vector<std::string> texts(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& event : events) out.push_back(event.text);
  return out;
}

TEST(NodeChangesTest, EachChangeOnceAndANodeFirstSeenNotReady) {
  std::map<std::string, NodeSeen> known;
  using Names = std::vector<std::string>;
  EXPECT_EQ(texts(node_changes(
                known,
                {{.name = "micklethefickle", .ready = true}, {.name = "blackboar", .ready = false}},
                100)),
            (Names{"node blackboar NotReady"}));
  EXPECT_EQ(texts(node_changes(
                known,
                {{.name = "micklethefickle", .ready = true}, {.name = "blackboar", .ready = false}},
                200)),
            Names{});
  std::vector<Event> changes = node_changes(
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

TEST(NodeChangesTest, TheEvictionTaintOnceWhenItAppears) {
  std::map<std::string, NodeSeen> known;
  using Names = std::vector<std::string>;
  EXPECT_EQ(texts(node_changes(known, {{.name = "blackboar", .ready = true}}, 100)), Names{});
  EXPECT_EQ(texts(node_changes(known, {{.name = "blackboar", .ready = false}}, 200)),
            (Names{"node blackboar NotReady"}));
  std::vector<Event> changes = node_changes(
      known, {{.name = "blackboar", .ready = false, .tainted_for_eviction = true}}, 300);
  EXPECT_EQ(texts(changes), (Names{"node blackboar tainted for eviction"}));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, "taint");
  EXPECT_EQ(changes[0].node, "blackboar");
  EXPECT_EQ(changes[0].at_ms, 300);
  EXPECT_EQ(texts(node_changes(
                known, {{.name = "blackboar", .ready = false, .tainted_for_eviction = true}}, 400)),
            Names{});
  // Healed and untainted, then tainted again: a second eviction, said again.
  EXPECT_EQ(texts(node_changes(known, {{.name = "blackboar", .ready = true}}, 500)),
            (Names{"node blackboar Ready"}));
  EXPECT_EQ(
      texts(node_changes(known,
                         {{.name = "cloudserver1", .ready = false, .tainted_for_eviction = true},
                          {.name = "blackboar", .ready = false, .tainted_for_eviction = true}},
                         600)),
      (Names{"node cloudserver1 NotReady", "node cloudserver1 tainted for eviction",
             "node blackboar NotReady", "node blackboar tainted for eviction"}));
}

}  // namespace
}  // namespace zerospof::drill
