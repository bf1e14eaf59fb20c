// api_state: the parsers of the API's JSON (as the apiserver writes it), the pods' placement by
// selector, and the paged listing with its errors on a fake HttpClient that answers by URL.
#include "observe/api_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

namespace zerospof::observe {
namespace {

TEST(ApiStateTest, ANodeIsItsReadyCondition) {
  auto node = parse_node(R"({"metadata":{"name":"blackboar"},"status":{"conditions":[
      {"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"Unknown"}]}})");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->name, "blackboar");
  EXPECT_EQ(node->ready, "Unknown");
  EXPECT_FALSE(parse_node("[1,2]"));
}

TEST(ApiStateTest, APodHasItsNodeReadinessAndLabels) {
  auto pod = parse_pod(R"({"metadata":{"namespace":"kube-system","name":"coredns-1",
      "labels":{"k8s-app":"kube-dns"}},"spec":{"nodeName":"cloudserver3"},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})");
  ASSERT_TRUE(pod);
  EXPECT_EQ(pod->node, "cloudserver3");
  EXPECT_TRUE(pod->ready);
  EXPECT_EQ(pod->labels.at("k8s-app"), "kube-dns");
}

TEST(ApiStateTest, WorkloadsCountReplicasAnUnsetCountIsOne) {
  auto deployment = parse_workload("Deployment", R"({"metadata":{"namespace":"a","name":"web"},
      "spec":{"selector":{"matchLabels":{"app":"web"}}},"status":{"readyReplicas":1}})");
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment->desired, 1);
  EXPECT_EQ(deployment->ready, 1);
  auto daemonset = parse_workload("DaemonSet", R"({"metadata":{"namespace":"a","name":"agent"},
      "status":{"desiredNumberScheduled":5,"numberReady":4}})");
  ASSERT_TRUE(daemonset);
  EXPECT_EQ(daemonset->desired, 5);
  EXPECT_EQ(daemonset->ready, 4);
}

TEST(ApiStateTest, ALeaseRenewalAgeFromItsMicrosecondTime) {
  // 2026-12-04T05:20:00Z is 1796361600 s since the epoch.
  auto lease = parse_lease(R"({"metadata":{"namespace":"kube-system","name":"kube-scheduler"},
      "spec":{"holderIdentity":"cloudserver1_x","leaseDurationSeconds":4,
      "renewTime":"2026-12-04T05:20:00.250000Z"}})",
                           1796361602.0);
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->holder, "cloudserver1_x");
  EXPECT_EQ(lease->duration_seconds, 4);
  ASSERT_TRUE(lease->renewed_seconds_ago);
  EXPECT_NEAR(*lease->renewed_seconds_ago, 1.75, 1e-6);
  auto never = parse_lease(R"({"metadata":{"name":"x"},"spec":{}})", 1.0);
  ASSERT_TRUE(never);
  EXPECT_FALSE(never->renewed_seconds_ago);
}

TEST(ApiStateTest, ReadyPodsArePlacedOnTheirWorkloadBySelector) {
  std::vector<LiveWorkload> workloads{{.kind = "Deployment",
                                       .namespace_name = "kube-system",
                                       .name = "coredns",
                                       .selector = {{"k8s-app", "kube-dns"}}}};
  std::vector<LivePod> pods{{.namespace_name = "kube-system",
                             .name = "a",
                             .node = "n1",
                             .ready = true,
                             .labels = {{"k8s-app", "kube-dns"}}},
                            {.namespace_name = "kube-system",
                             .name = "b",
                             .node = "n1",
                             .ready = true,
                             .labels = {{"k8s-app", "kube-dns"}, {"pod-template-hash", "x"}}},
                            {.namespace_name = "kube-system",
                             .name = "c",
                             .node = "n2",
                             .ready = false,
                             .labels = {{"k8s-app", "kube-dns"}}},
                            {.namespace_name = "default",
                             .name = "d",
                             .node = "n3",
                             .ready = true,
                             .labels = {{"k8s-app", "kube-dns"}}}};
  place_pods(workloads, pods);
  EXPECT_EQ(workloads[0].ready_on, (std::map<std::string, int>{{"n1", 2}}));
}

// Answers by URL; records what was asked.
// Answers by URL (an empty list for any other), from several threads at once. With `gather` set,
// each question waits (5 s at most) until that many are in flight together.
class RoutedHttp : public HttpClient {
 public:
  HttpResponse send(const HttpRequest& request) override {
    std::unique_lock lock(mutex);
    asked.push_back(request.url);
    most = std::max(most, ++in_flight);
    arrived.notify_all();
    arrived.wait_for(lock, std::chrono::seconds(5), [&] { return most >= gather; });
    --in_flight;
    auto found = routes.find(request.url);
    if (found != routes.end()) return found->second;
    return {.status = 200, .body = R"({"items":[]})"};
  }
  std::map<std::string, HttpResponse> routes;
  int gather = 0;
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::string> asked;
  int in_flight = 0, most = 0;
};

TEST(ApiStateTest, ListsFollowEveryPage) {
  RoutedHttp http;
  const std::string server = "https://198.18.0.100:6443";
  http.routes[server + "/api/v1/nodes?limit=500"] = {
      .status = 200,
      .body = R"({"metadata":{"continue":"abc"},"items":[{"metadata":{"name":"n1"}}]})"};
  http.routes[server + "/api/v1/nodes?limit=500&continue=abc"] = {
      .status = 200, .body = R"({"metadata":{},"items":[{"metadata":{"name":"n2"}}]})"};
  ApiState state = observe_api(http, server, std::chrono::milliseconds(500));
  ASSERT_TRUE(state.reachable) << state.error;
  ASSERT_EQ(state.nodes.size(), 2u);
  EXPECT_EQ(state.nodes[1].name, "n2");
}

TEST(ApiStateTest, UnauthorizedForbiddenAndUnreachableAreSaidNeverAnEmptyCluster) {
  const std::string server = "https://198.18.0.100:6443";
  for (const auto& [answer, words] : std::vector<std::pair<HttpResponse, std::string>>{
           {{.status = 401}, "refused the credentials (401 Unauthorized)"},
           {{.status = 403}, "forbids listing /api/v1/nodes"},
           {{.status = 0, .error = "Connection refused"}, "did not answer: Connection refused"}}) {
    RoutedHttp http;
    http.routes[server + "/api/v1/nodes?limit=500"] = answer;
    ApiState state = observe_api(http, server, std::chrono::milliseconds(500));
    EXPECT_FALSE(state.reachable);
    EXPECT_NE(state.error.find(words), std::string::npos) << state.error;
    EXPECT_TRUE(state.nodes.empty());
    // A transfer that broke is asked once more before the API is called unreachable; what the
    // other lists said is not reported beside it.
    EXPECT_EQ(std::count(http.asked.begin(), http.asked.end(), server + "/api/v1/nodes?limit=500"),
              answer.status == 0 ? 2 : 1);
    EXPECT_TRUE(state.partial.empty());
  }
}

// The lists are asked together: status through a busy endpoint costs about its slowest list, not
// the sum of fourteen.
TEST(ApiStateTest, EveryListIsAskedAtOnce) {
  RoutedHttp http;
  http.gather = 14;
  ApiState state = observe_api(http, "https://198.18.0.100:6443", std::chrono::milliseconds(500));
  EXPECT_TRUE(state.reachable) << state.error;
  EXPECT_EQ(http.asked.size(), 14u);
  EXPECT_EQ(http.most, 14);
}

// A list only audit reads that these credentials may not read is said, and the rest is used.
TEST(ApiStateTest, AForbiddenOptionalListIsPartialDataNotAnUnreachableApi) {
  RoutedHttp http;
  const std::string server = "https://198.18.0.100:6443";
  http.routes[server + "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations" +
              "?limit=500"] = {.status = 403};
  http.routes[server + "/api/v1/nodes?limit=500"] = {
      .status = 200, .body = R"({"items":[{"metadata":{"name":"n1"}}]})"};
  ApiState state = observe_api(http, server, std::chrono::milliseconds(500));
  EXPECT_TRUE(state.reachable) << state.error;
  ASSERT_EQ(state.partial.size(), 1u);
  EXPECT_NE(state.partial[0].find("validatingwebhookconfigurations"), std::string::npos);
  EXPECT_EQ(state.nodes.size(), 1u);
}

// VolumeAttachments as the API lists them, each with the claim of its PersistentVolume; an inline
// source and an unbound volume have no claim, and an attachment not yet attached says so.
TEST(ApiStateTest, AttachmentsCarryTheirNodeAndTheClaimOfTheirVolume) {
  RoutedHttp http;
  const std::string server = "https://198.18.0.100:6443";
  http.routes[server + "/apis/storage.k8s.io/v1/volumeattachments?limit=500"] = {
      .status = 200, .body = R"({"items":[
        {"metadata":{"name":"csi-1"},"spec":{"attacher":"driver.longhorn.io","nodeName":"n2",
         "source":{"persistentVolumeName":"pv-data"}},"status":{"attached":true}},
        {"metadata":{"name":"csi-2"},"spec":{"attacher":"driver.longhorn.io","nodeName":"n3",
         "source":{"persistentVolumeName":"pv-free"}}},
        {"metadata":{"name":"csi-3"},"spec":{"attacher":"x","nodeName":"n1",
         "source":{"inlineVolumeSpec":{}}},"status":{"attached":true}}]})"};
  http.routes[server + "/api/v1/persistentvolumes?limit=500"] = {.status = 200,
                                                                 .body = R"({"items":[
        {"metadata":{"name":"pv-data"},"spec":{"claimRef":{"namespace":"db","name":"data-0"}}},
        {"metadata":{"name":"pv-free"},"spec":{}}]})"};
  ApiState state = observe_api(http, server, std::chrono::milliseconds(500));
  ASSERT_TRUE(state.reachable) << state.error;
  ASSERT_EQ(state.attachments.size(), 3u);
  EXPECT_EQ(state.attachments[0].node, "n2");
  EXPECT_EQ(state.attachments[0].attacher, "driver.longhorn.io");
  EXPECT_EQ(state.attachments[0].persistent_volume, "pv-data");
  EXPECT_EQ(state.attachments[0].claim, "db/data-0");
  EXPECT_TRUE(state.attachments[0].attached);
  EXPECT_EQ(state.attachments[1].claim, "");
  EXPECT_FALSE(state.attachments[1].attached);
  EXPECT_EQ(state.attachments[2].persistent_volume, "");
  EXPECT_TRUE(state.attachments[2].attached);
}

// A page whose transfer broke once is asked again, and the list goes on.
TEST(ApiStateTest, ATransferCutShortOnceIsAskedAgainNotCalledAnUnreachableApi) {
  struct FlakyHttp : HttpClient {
    HttpResponse send(const HttpRequest& request) override {
      if (request.url.find("/api/v1/nodes") != std::string::npos && ++node_asks == 1)
        return {.status = 0, .maybe_sent = true, .error = "Transferred a partial file"};
      return {.status = 200, .body = R"({"items":[{"metadata":{"name":"n1"}}]})"};
    }
    int node_asks = 0;
  } http;
  ApiState state = observe_api(http, "https://198.18.0.100:6443", std::chrono::milliseconds(500));
  EXPECT_TRUE(state.reachable) << state.error;
  EXPECT_EQ(http.node_asks, 2);
  EXPECT_EQ(state.nodes.size(), 1u);
}

}  // namespace
}  // namespace zerospof::observe
