// The etcd probe against InMemoryEtcd (a test double of etcd's JSON gateway: the real etcd cannot
// be made to black-hole one member for exactly 300 ms): its streams move off a member that stops
// answering, as etcd's own clients do, so a dead member costs the cluster's clients no outage;
// a whole-cluster stall is measured as the stall, not as the probe's timeout; the history of
// puts, reads and compare-and-sets is linearizable and lands beside the API probe's.
#include "drill/etcd_probe.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "drill/judge.h"
#include "history/linearizability.h"
#include "support/in_memory_etcd.h"

namespace zerospof::drill {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::vector<observe::ServerEndpoint> three_members() {
  std::vector<observe::ServerEndpoint> members;
  for (int i = 1; i <= 3; ++i)
    members.push_back({.node = "cloudserver" + std::to_string(i),
                       .url = "https://127.0.0.1:2379",
                       .unix_socket = "/tmp/tunnel-" + std::to_string(i)});
  return members;
}

double since(Clock::time_point zero) {
  return std::chrono::duration<double, std::milli>(Clock::now() - zero).count();
}

TEST(EtcdProbeTest, StreamsLeaveAMemberThatStopsAnsweringAndLoseNothing) {
  testing::InMemoryEtcd etcd;
  auto zero = Clock::now();
  EtcdProbe probe(etcd, three_members(),
                  {.clients = 4, .interval = milliseconds(100), .timeout = milliseconds(500)},
                  zero);
  ASSERT_TRUE(probe.prepare());
  probe.start();
  std::this_thread::sleep_for(milliseconds(400));
  double fault = since(zero);
  // cloudserver1 crashes for good: its requests hang until their timeout.
  etcd.black_hole("/tmp/tunnel-1", Clock::now(), Clock::now() + std::chrono::hours(1));
  std::size_t before = etcd.answered("/tmp/tunnel-1");
  std::this_thread::sleep_for(milliseconds(2000));
  probe.stop();
  double end = since(zero);

  ProbeRecord writes = probe.writes(), reads = probe.reads();
  EXPECT_EQ(writes.name, "etcd-write");
  // The rare path ran: requests to the dead member timed out, and the streams moved on.
  std::size_t timeouts = reads.causes["Timeout was reached"] + writes.causes["Timeout was reached"];
  EXPECT_GE(timeouts, 1u);
  EXPECT_EQ(etcd.answered("/tmp/tunnel-1"), before);
  // Two streams started on it; each sent at most one timeout's worth of operations (5) before
  // its first answer-less request told it to move. Staying would have cost about 20 each.
  EXPECT_LE(timeouts, 14u);
  // Streams on the other members never stopped: the cluster had no outage.
  auto outage = longest_outage(writes.attempts, fault, end);
  ASSERT_TRUE(outage);
  EXPECT_LT(outage->ms, 450);
  EXPECT_GT(writes.ok, 20u);

  history::History history = probe.history();
  std::set<history::Function> functions;
  for (const auto& operation : history.operations) {
    functions.insert(operation.function);
    EXPECT_GE(operation.process >= 0 ? operation.process : -operation.process, 1'000'000)
        << "process numbers stay apart from the API probe's";
  }
  EXPECT_EQ(functions,
            (std::set<history::Function>{history::Function::kRead, history::Function::kWrite,
                                         history::Function::kCompareAndSet}));
  EXPECT_EQ(history::check_linearizability(history).verdict, history::Verdict::kLinearizable);
  EXPECT_EQ(lost_writes(history, probe.final_values()), 0u);
  probe.cleanup();
  EXPECT_EQ(etcd.keys(), 0u);
}

TEST(EtcdProbeTest, AStallOfEveryMemberIsMeasuredAsTheStallNotTheTimeout) {
  testing::InMemoryEtcd etcd;
  auto zero = Clock::now();
  EtcdProbe probe(etcd, three_members(),
                  {.clients = 4, .interval = milliseconds(100), .timeout = milliseconds(1000)},
                  zero);
  ASSERT_TRUE(probe.prepare());
  probe.start();
  std::this_thread::sleep_for(milliseconds(400));
  double fault = since(zero);
  // An election: no member answers for 300 ms.
  auto from = Clock::now(), until = from + milliseconds(300);
  for (int i = 1; i <= 3; ++i) etcd.black_hole("/tmp/tunnel-" + std::to_string(i), from, until);
  std::this_thread::sleep_for(milliseconds(1800));
  probe.stop();
  auto outage = longest_outage(probe.writes().attempts, fault, since(zero));
  ASSERT_TRUE(outage);
  EXPECT_GE(outage->ms, 300);
  EXPECT_LT(outage->ms, 950);  // a closed-loop client would have measured its 1000 ms timeout
  EXPECT_EQ(history::check_linearizability(probe.history()).verdict,
            history::Verdict::kLinearizable);
}

TEST(EtcdProbeTest, NoMemberToTalkToMeansNoProbe) {
  testing::InMemoryEtcd etcd;
  EtcdProbe probe(etcd, {}, {}, Clock::now());
  EXPECT_FALSE(probe.prepare());
  probe.start();  // nothing to run; must not crash or hang
  probe.stop();
  EXPECT_EQ(probe.writes().attempts.size(), 0u);
}

}  // namespace
}  // namespace zerospof::drill
