// The watch probe: check_watch on hand-made deliveries (each way a watch can fail: a gap, a
// duplicate, a reordering, a 410), and the probe end to end against InMemoryApi (a test double of
// the API's ConfigMaps and watches), through an outage and through a watch cache that drops one
// change.
#include "drill/watch_probe.h"

#include <gtest/gtest.h>

#include <thread>

#include "drill/api_probe.h"
#include "support/in_memory_api.h"

namespace zerospof::drill {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A register history on key "k": v0 (the start) -> v1 -> v2 -> v3, all acknowledged, and v9, a
// compare-and-set that failed (it never happened).
history::History chain() {
  history::History out;
  auto cas = [](std::string from, std::string to, history::Outcome outcome) {
    return history::Operation{.function = history::Function::kCompareAndSet,
                              .outcome = outcome,
                              .key = "k",
                              .argument = std::move(to),
                              .expected = std::move(from)};
  };
  out.operations = {cas("v0", "v1", history::Outcome::kOk), cas("v1", "v2", history::Outcome::kOk),
                    cas("v2", "v3", history::Outcome::kOk),
                    cas("v1", "v9", history::Outcome::kFailed)};
  return out;
}

WatchedKey delivered(std::vector<std::string> values) {
  WatchedKey key{.key = "k", .start_value = "v0"};
  int version = 10;
  for (auto& value : values)
    key.events.push_back({"MODIFIED", std::to_string(++version), std::move(value)});
  return key;
}

TEST(CheckWatchTest, TheWholeChainOnceAndInOrderIsDelivered) {
  WatchCheck check = check_watch({delivered({"v1", "v2", "v3"})}, chain());
  EXPECT_TRUE(check.delivered) << ::testing::PrintToString(check.problems);
  EXPECT_EQ(check.events, 3u);
  EXPECT_EQ(check.acknowledged, 3u);
  EXPECT_EQ(check.missing, 0u);
}

TEST(CheckWatchTest, AGapADuplicateAndAReorderingAreEachCaught) {
  WatchCheck gap = check_watch({delivered({"v1", "v3"})}, chain());
  EXPECT_FALSE(gap.delivered);
  EXPECT_EQ(gap.missing, 1u);
  EXPECT_EQ(gap.out_of_order, 1u);  // v3 replaced v2, not v1
  WatchCheck twice = check_watch({delivered({"v1", "v2", "v2", "v3"})}, chain());
  EXPECT_FALSE(twice.delivered);
  EXPECT_EQ(twice.duplicated, 1u);
  WatchCheck swapped = check_watch({delivered({"v2", "v1", "v3"})}, chain());
  EXPECT_FALSE(swapped.delivered);
  EXPECT_GE(swapped.out_of_order, 2u);
  WatchCheck never_written = check_watch({delivered({"v1", "v9", "v2", "v3"})}, chain());
  EXPECT_FALSE(never_written.delivered);
  // A reconnect alone is no fault: the watch went on from where it was.
  WatchedKey reconnected = delivered({"v1", "v2", "v3"});
  reconnected.broken = 2;
  WatchCheck check = check_watch({reconnected}, chain());
  EXPECT_TRUE(check.delivered);
  EXPECT_EQ(check.reconnects, 2u);
}

TEST(CheckWatchTest, AGapA410SignalledIsCountedApartAndAListOffTheChainIsCaught) {
  // Refused with 410 Gone after v1, listed again at v3: v2 reached the client only as the state
  // it listed. Signalled by the API, so no failure, but counted.
  WatchedKey relisted = delivered({"v1"});
  relisted.expired = 1;
  relisted.events.push_back({kRelisted, "20", "v3"});
  WatchCheck check = check_watch({relisted}, chain());
  EXPECT_TRUE(check.delivered) << ::testing::PrintToString(check.problems);
  EXPECT_EQ(check.expired, 1u);
  EXPECT_EQ(check.relisted, 2u);  // v2 and v3, the listed state
  EXPECT_EQ(check.missing, 0u);
  // The same gap with nothing said is a failure.
  EXPECT_FALSE(check_watch({delivered({"v1", "v3"})}, chain()).delivered);
  // A list that gives a value off the chain from the last event (v1 after v2) is out of order.
  WatchedKey backwards = delivered({"v1", "v2"});
  backwards.events.push_back({kRelisted, "20", "v1"});
  WatchCheck bad = check_watch({backwards}, chain());
  EXPECT_FALSE(bad.delivered);
  EXPECT_GE(bad.out_of_order, 1u);
}

// The API probe writes while the watch probe watches; `during` runs in the middle.
WatchCheck watch_while_writing(testing::InMemoryApi& api, const std::function<void()>& during,
                               std::size_t* requests = nullptr) {
  auto zero = Clock::now();
  ApiProbeOptions options{.clients = 4, .keys = 2, .timeout = milliseconds(300)};
  ApiProbe probe(api, "https://198.18.0.2:6443", options, zero);
  EXPECT_TRUE(probe.prepare());
  WatchProbe watch(api, "https://198.18.0.2:6443", "default",
                   {options.key_prefix + "-0", options.key_prefix + "-1"},
                   {.window = std::chrono::seconds(1), .retry = milliseconds(50)});
  EXPECT_TRUE(watch.prepare());
  watch.start();
  probe.start();
  std::this_thread::sleep_for(milliseconds(300));
  during();
  std::this_thread::sleep_for(milliseconds(700));
  probe.stop();
  watch.finish(probe.final_values());
  if (requests) *requests = api.watch_requests();
  return check_watch(watch.watched(), probe.history());
}

TEST(WatchProbeTest, EveryAcknowledgedWriteArrivesAcrossAnOutage) {
  testing::InMemoryApi api;
  std::size_t requests = 0;
  WatchCheck check = watch_while_writing(
      api, [&] { api.black_hole(Clock::now(), Clock::now() + milliseconds(400)); }, &requests);
  EXPECT_TRUE(check.delivered) << ::testing::PrintToString(check.problems);
  EXPECT_GT(check.acknowledged, 10u);
  EXPECT_EQ(check.missing, 0u);
  // The rare path ran: watches broke in the black hole and went on from where they were.
  EXPECT_GE(check.reconnects, 1u);
  EXPECT_LT(requests, 200u);  // bounded: a broken watch is retried at most every 50 ms
}

TEST(WatchProbeTest, AWatchRefusedWith410ListsAgainAndTheJumpedWritesAreCountedApart) {
  // A restarted apiserver's watch cache begins three changes later: the watches from before are
  // refused with 410 Gone, list again, and go on; nothing is missing, two or more writes reached
  // them only as the listed state.
  testing::InMemoryApi api;
  WatchCheck check = watch_while_writing(api, [&] { api.restart_watch_cache(3); });
  EXPECT_TRUE(check.delivered) << ::testing::PrintToString(check.problems);
  EXPECT_EQ(check.missing, 0u);
  // The rare path ran: refused, listed again, writes jumped over.
  EXPECT_GE(api.refused_watches(), 1u);
  EXPECT_GE(check.expired, 1u);
  EXPECT_GE(check.relisted, 1u);
}

TEST(WatchProbeTest, AWatchCacheThatDropsAChangeIsCaught) {
  testing::InMemoryApi api;
  WatchCheck check = watch_while_writing(api, [&] { api.skip_in_watches(3); });
  EXPECT_FALSE(check.delivered);
  EXPECT_EQ(check.missing, 1u);
  std::string problems = ::testing::PrintToString(check.problems);
  EXPECT_NE(problems.find("never delivered"), std::string::npos) << problems;
}

}  // namespace
}  // namespace zerospof::drill
