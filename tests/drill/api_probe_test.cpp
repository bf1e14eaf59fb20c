// The API probe against an in-memory ConfigMap API that can black-hole requests for a while, as
// a crashed VIP holder does: the outage the probe measures must be the endpoint's, not its own
// timeout, and its history must stay a valid register history (one process per operation).
#include "drill/api_probe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "drill/judge.h"
#include "history/linearizability.h"

namespace zerospof::drill {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ConfigMaps with resourceVersions, compare-and-set on PUT; a request sent inside the black hole
// gets no answer until its timeout, as one to a crashed host's address.
class InMemoryApi : public observe::HttpClient {
 public:
  observe::HttpResponse send(const observe::HttpRequest& request) override {
    if (in_black_hole(Clock::now())) {
      std::this_thread::sleep_for(request.timeout * hang_factor.load());
      return {.status = 0, .maybe_sent = true, .error = "Timeout was reached"};
    }
    std::lock_guard lock(mutex_);
    std::string name = request.url.substr(request.url.rfind('/') + 1);
    if (request.method == "GET") {
      auto found = objects_.find(name);
      if (found == objects_.end()) return {.status = 404, .maybe_sent = true};
      return {.status = 200, .body = object(name, found->second), .maybe_sent = true};
    }
    auto body = nlohmann::json::parse(request.body);
    name = body["metadata"]["name"];
    std::string value = body["data"]["value"];
    std::string expected = body["metadata"].value("resourceVersion", "");
    if (request.method == "POST" && objects_.count(name))
      return {.status = 409, .body = R"({"reason":"AlreadyExists"})", .maybe_sent = true};
    if (request.method == "PUT" && !expected.empty() &&
        std::to_string(objects_[name].first) != expected)
      return {.status = 409, .body = R"({"reason":"Conflict"})", .maybe_sent = true};
    objects_[name] = {++revision_, value};
    return {.status = 200, .body = object(name, objects_[name]), .maybe_sent = true};
  }

  // How many timeouts a request in the black hole takes: 1 is an HTTP client that keeps its
  // timeout; more, one that does not.
  std::atomic<int> hang_factor{1};

  void black_hole(Clock::time_point from, Clock::time_point until) {
    std::lock_guard lock(mutex_);
    hole_from_ = from;
    hole_until_ = until;
  }

 private:
  bool in_black_hole(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    return now >= hole_from_ && now < hole_until_;
  }
  static std::string object(const std::string& name, const std::pair<long, std::string>& state) {
    return nlohmann::json{
        {"metadata", {{"name", name}, {"resourceVersion", std::to_string(state.first)}}},
        {"data", {{"value", state.second}}}}
        .dump();
  }

  std::mutex mutex_;
  std::map<std::string, std::pair<long, std::string>> objects_;
  long revision_ = 100;
  Clock::time_point hole_from_{}, hole_until_{};
};

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
  auto outage = longest_outage_ms(writes.attempts, fault, end);
  ASSERT_TRUE(outage);
  // 300 ms of black hole; a closed-loop client stuck in a request would have measured at least
  // its 1000 ms timeout.
  EXPECT_GE(*outage, 300);
  EXPECT_LT(*outage, 950);
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
