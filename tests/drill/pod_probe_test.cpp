// The pod probe against a scripted API that plays a worker's death: its pod not ready, then
// evicted, a replacement ready elsewhere. The probe must see each step, in order, and say when
// the pods had moved; before the eviction, replicas ready elsewhere are not a move.
#include "drill/pod_probe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace zerospof::drill {
namespace {

using std::chrono::milliseconds;

// Phase 0: five ready pods, one per node. 1: blackboar's pod not ready. 2: its pod evicted
// (deleting), four ready elsewhere. 3: a replacement ready on cloudserver3.
class WorkerDeathApi : public observe::HttpClient {
 public:
  observe::HttpResponse send(const observe::HttpRequest& request) override {
    std::lock_guard lock(mutex_);
    if (request.method == "POST") {
      created = nlohmann::json::parse(request.body);
      return {.status = 201, .body = "{}", .maybe_sent = true};
    }
    if (request.method == "DELETE") {
      deleted = true;
      return {.status = 200, .body = "{}", .maybe_sent = true};
    }
    nlohmann::json items = nlohmann::json::array();
    auto pod = [&](const std::string& name, const std::string& node, bool ready, bool deleting) {
      nlohmann::json item{
          {"metadata", {{"name", name}}},
          {"spec", {{"nodeName", node}}},
          {"status",
           {{"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
      if (deleting) item["metadata"]["deletionTimestamp"] = "2026-12-04T08:00:00Z";
      items.push_back(item);
    };
    for (const char* node :
         {"micklethefickle", "cloudserver1", "cloudserver2", "cloudserver3", "blackboar"}) {
      bool dies = std::count(dying.begin(), dying.end(), node) > 0;
      pod(std::string("p-") + node, node, !dies || phase < 1, dies && phase >= 2);
      if (dies && phase >= 3) pod(std::string("p-new-") + node, "cloudserver1", true, false);
    }
    return {.status = 200, .body = nlohmann::json{{"items", items}}.dump(), .maybe_sent = true};
  }

  std::atomic<int> phase{0};
  std::vector<std::string> dying{"blackboar"};
  nlohmann::json created;
  bool deleted = false;

 private:
  std::mutex mutex_;
};

TEST(PodProbeTest, SeesTheEvictionAndThenTheReplicasReadyElsewhere) {
  WorkerDeathApi http;
  observe::KubernetesClient api(http, "https://198.18.0.2:6443");
  auto zero = std::chrono::steady_clock::now();
  PodProbe probe(api, {.replicas = 5, .timeout = milliseconds(500)}, zero);
  auto placed = probe.deploy(std::chrono::seconds(5));
  ASSERT_TRUE(placed) << util::format_error(placed.error());
  EXPECT_EQ(placed->size(), 5u);
  EXPECT_EQ(http.created["spec"]["replicas"], 5);
  EXPECT_EQ(
      http.created["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["whenUnsatisfiable"],
      "ScheduleAnyway");

  probe.start({"blackboar"});
  for (int phase = 1; phase <= 3; ++phase) {
    std::this_thread::sleep_for(milliseconds(1200));
    // Four replicas ready elsewhere before the eviction is not a move.
    if (phase == 2) {
      EXPECT_FALSE(probe.rescheduled_ms());
    }
    http.phase = phase;
  }
  std::this_thread::sleep_for(milliseconds(1200));
  std::vector<Event> events = probe.stop();
  probe.cleanup();
  EXPECT_TRUE(http.deleted);

  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].text, "1 pod(s) on blackboar evicted");
  EXPECT_EQ(events[1].text, "all 5 replicas ready on other nodes than blackboar");
  ASSERT_TRUE(probe.rescheduled_ms());
  EXPECT_DOUBLE_EQ(*probe.rescheduled_ms(), events[1].at_ms);
  EXPECT_LT(events[0].at_ms, events[1].at_ms);
}

TEST(PodProbeTest, TwoNodesDownAreFollowedTogether) {
  WorkerDeathApi http;
  http.dying = {"cloudserver3", "blackboar"};
  observe::KubernetesClient api(http, "https://198.18.0.2:6443");
  PodProbe probe(api, {.replicas = 5, .timeout = milliseconds(500)},
                 std::chrono::steady_clock::now());
  ASSERT_TRUE(probe.deploy(std::chrono::seconds(5)));
  probe.start({"cloudserver3", "blackboar"});
  for (int phase = 1; phase <= 3; ++phase) {
    std::this_thread::sleep_for(milliseconds(1200));
    http.phase = phase;
  }
  std::this_thread::sleep_for(milliseconds(1200));
  std::vector<Event> events = probe.stop();
  std::vector<std::string> texts;
  for (const Event& event : events) texts.push_back(event.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "2 pod(s) on cloudserver3, blackboar evicted",
                       "all 5 replicas ready on other nodes than cloudserver3, blackboar"}));
  EXPECT_TRUE(probe.rescheduled_ms());
}

// A Deployment whose fifth replica never becomes ready: blackboar's pod stays not ready.
class FourOfFiveReadyTest : public ::testing::Test {
 protected:
  FourOfFiveReadyTest() { http.phase = 1; }
  WorkerDeathApi http;
  observe::KubernetesClient api{http, "https://198.18.0.2:6443"};
  PodProbe probe{
      api, {.replicas = 5, .timeout = milliseconds(500)}, std::chrono::steady_clock::now()};
};

TEST_F(FourOfFiveReadyTest, ADeploymentThatNeverBecomesReadyIsAnErrorSayingHowFarItGot) {
  auto placed = probe.deploy(std::chrono::seconds(1));
  ASSERT_FALSE(placed);
  EXPECT_NE(placed.error().message.find("4 of 5 replicas ready"), std::string::npos)
      << placed.error().message;
}

// The operator's stop ends the wait for replicas at once, where the limit is minutes.
TEST_F(FourOfFiveReadyTest, AStoppedDrillWaitsNoLongerForTheDeploymentsReplicas) {
  int asked = 0;
  const auto start = std::chrono::steady_clock::now();
  auto placed = probe.deploy(std::chrono::seconds(30), [&] { return ++asked >= 3; });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  ASSERT_FALSE(placed);
  EXPECT_NE(placed.error().message.find("the drill was stopped while it waited for its "
                                        "replicas (4 of 5 replicas ready)"),
            std::string::npos)
      << placed.error().message;
}

}  // namespace
}  // namespace zerospof::drill
