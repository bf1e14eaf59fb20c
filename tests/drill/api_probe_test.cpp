// The API probe against an in-memory ConfigMap API that can black-hole requests for a while, as
// a crashed VIP holder does: the outage the probe measures must be the endpoint's, not its own
// timeout, and its history must stay a valid register history (one process per operation).
#include "drill/api_probe.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "drill/judge.h"
#include "history/linearizability.h"
#include "support/in_memory_api.h"

namespace zerospof::drill {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

using testing::InMemoryApi;

double since(Clock::time_point zero) {
  return std::chrono::duration<double, std::milli>(Clock::now() - zero).count();
}

TEST(ApiProbeTest, MeasuresTheEndpointsOutageNotItsOwnTimeout) {
  InMemoryApi api;
  auto zero = Clock::now();
  ApiProbe probe(
      api, "https://198.18.0.2:6443",
      {.clients = 4, .keys = 2, .interval = milliseconds(100), .timeout = milliseconds(1000)},
      zero);
  ASSERT_TRUE(probe.prepare());
  probe.start();
  std::this_thread::sleep_for(milliseconds(500));
  double fault = since(zero);
  api.black_hole(Clock::now(), Clock::now() + milliseconds(300));
  std::this_thread::sleep_for(milliseconds(1800));
  probe.stop();
  double end = since(zero);

  ProbeRecord writes = probe.writes();
  // The rare path ran: requests sent into the black hole waited for their whole timeout.
  ASSERT_GE(writes.causes["Timeout was reached"] + probe.reads().causes["Timeout was reached"], 1u);
  auto outage = longest_outage(writes.attempts, fault, end);
  ASSERT_TRUE(outage);
  // 300 ms of black hole; a closed-loop client stuck in a request would have measured at least
  // its 1000 ms timeout.
  EXPECT_GE(outage->ms, 300);
  EXPECT_LT(outage->ms, 950);
  EXPECT_EQ(probe.skipped(), 0u);

  // One process per operation: a read and at most one write, in that order.
  history::History history = probe.history();
  std::map<int, std::vector<history::Function>> by_process;
  for (const history::Operation& operation : history.operations)
    by_process[operation.process].push_back(operation.function);
  for (const auto& [process, functions] : by_process) {
    if (process < 0) continue;  // the initial writes of prepare()
    ASSERT_LE(functions.size(), 2u) << process;
    EXPECT_EQ(functions.front(), history::Function::kRead) << process;
  }
  EXPECT_GT(by_process.size(), 40u);
  EXPECT_EQ(history::check_linearizability(history).verdict, history::Verdict::kLinearizable);
}

// The bound on concurrency holds even when requests outlast their timeout (an HTTP client that
// does not keep it): a stream never holds more operations than the bound, and the ticks it could
// not start are counted, not queued.
TEST(ApiProbeTest, RequestsThatOutlastTheirTimeoutFillTheBoundAndTheRestAreSkipped) {
  InMemoryApi api;
  auto zero = Clock::now();
  ApiProbe probe(
      api, "https://198.18.0.2:6443",
      {.clients = 1, .keys = 1, .interval = milliseconds(20), .timeout = milliseconds(50)}, zero);
  ASSERT_TRUE(probe.prepare());
  api.hang_factor = 8;  // 400 ms per request
  api.black_hole(Clock::now(), Clock::now() + std::chrono::seconds(10));
  auto started = Clock::now();
  probe.start();
  std::this_thread::sleep_for(milliseconds(300));
  probe.stop();
  // Bound 2 x 50 / 20 + 1 = 6 in flight: 15 ticks in 300 ms, 6 started, the rest skipped.
  EXPECT_GE(probe.skipped(), 5u);
  EXPECT_LE(probe.reads().attempts.size(), 6u);
  EXPECT_EQ(probe.writes().attempts.size(), 0u);
  // stop() waited for the operations in flight, and no longer.
  EXPECT_LT(Clock::now() - started, milliseconds(300 + 400 + 200));
}

}  // namespace
}  // namespace zerospof::drill
