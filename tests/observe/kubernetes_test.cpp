// The Kubernetes client on a scripted HttpClient: what it sends for a compare-and-set, and how
// each kind of answer becomes a write outcome (the probe's history depends on it).
#include "observe/kubernetes.h"

#include <gtest/gtest.h>

#include <deque>
#include <nlohmann/json.hpp>

namespace zerospof::observe {
namespace {

class ScriptedHttp : public HttpClient {
 public:
  HttpResponse send(const HttpRequest& request) override {
    sent.push_back(request);
    if (answers.empty()) return {};
    HttpResponse response = answers.front();
    answers.pop_front();
    return response;
  }
  std::deque<HttpResponse> answers;
  std::vector<HttpRequest> sent;
};

TEST(KubernetesClientTest, AWriteIsAPutWithTheResourceVersionItRead) {
  ScriptedHttp http;
  http.answers = {{.status = 200,
                   .body = R"({"metadata":{"resourceVersion":"41"},"data":{"value":"a"}})",
                   .maybe_sent = true},
                  {.status = 200, .body = "{}", .maybe_sent = true}};
  KubernetesClient api(http, "https://198.18.0.2:6443");
  auto read = api.read_register("default", "probe-0", std::chrono::milliseconds(500));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->value, "a");
  EXPECT_EQ(read->resource_version, "41");
  EXPECT_EQ(api.write_register("default", "probe-0", "b", "41", std::chrono::milliseconds(500)),
            WriteResult::kWritten);
  ASSERT_EQ(http.sent.size(), 2u);
  EXPECT_EQ(http.sent[1].method, "PUT");
  EXPECT_EQ(http.sent[1].url,
            "https://198.18.0.2:6443/api/v1/namespaces/default/configmaps/probe-0");
  auto body = nlohmann::json::parse(http.sent[1].body);
  EXPECT_EQ(body["metadata"]["resourceVersion"], "41");
  EXPECT_EQ(body["data"]["value"], "b");
  EXPECT_EQ(http.sent[1].timeout.count(), 500);
}

TEST(KubernetesClientTest, EachAnswerIsTheRightOutcome) {
  EXPECT_EQ(classify_write({.status = 201, .maybe_sent = true}), WriteResult::kWritten);
  EXPECT_EQ(classify_write({.status = 409, .maybe_sent = true}), WriteResult::kConflict);
  EXPECT_EQ(classify_write({.status = 422, .maybe_sent = true}), WriteResult::kRejected);
  // A 5xx or a timeout after the request left may have taken effect; one never sent did not.
  EXPECT_EQ(classify_write({.status = 504, .maybe_sent = true}), WriteResult::kIndeterminate);
  EXPECT_EQ(classify_write({.status = 0, .maybe_sent = true}), WriteResult::kIndeterminate);
  EXPECT_EQ(classify_write({.status = 0, .maybe_sent = false}), WriteResult::kRejected);
}

TEST(KubernetesClientTest, AnUnreadableObjectOrLeaseIsNotAValue) {
  ScriptedHttp http;
  http.answers = {{.status = 200, .body = "not json", .maybe_sent = true},
                  {.status = 503, .maybe_sent = true},
                  {.status = 200,
                   .body = R"({"spec":{"holderIdentity":"cloudserver1_0a1b"}})",
                   .maybe_sent = true}};
  KubernetesClient api(http, "https://x:1");
  EXPECT_FALSE(api.read_register("default", "p", std::chrono::milliseconds(100)));
  EXPECT_FALSE(api.lease_holder("kube-system", "kube-scheduler", std::chrono::milliseconds(100)));
  EXPECT_EQ(api.lease_holder("kube-system", "kube-scheduler", std::chrono::milliseconds(100)),
            "cloudserver1_0a1b");
}

// kwok's nodes report no container runtime: how the drill tells real pods from simulated ones.
TEST(KubernetesClientTest, NodesSayWhichContainerRuntimeRunsThem) {
  ScriptedHttp http;
  http.answers = {{.status = 200,
                   .body = R"({"items":[
         {"metadata":{"name":"a"},"status":{"nodeInfo":{"containerRuntimeVersion":"containerd://2.4.2"},
          "conditions":[{"type":"Ready","status":"True"}]}},
         {"metadata":{"name":"b"},"status":{"nodeInfo":{},"conditions":[{"type":"Ready","status":"False"}]}},
         {"metadata":{"name":"c"},"status":{"nodeInfo":{"containerRuntimeVersion":7}}}, 3]})",
                   .maybe_sent = true},
                  {.status = 500, .maybe_sent = true}};
  KubernetesClient api(http, "https://x:1");
  auto nodes = api.nodes(std::chrono::milliseconds(100));
  ASSERT_TRUE(nodes);
  ASSERT_EQ(nodes->size(), 3u);
  EXPECT_EQ((*nodes)[0].container_runtime, "containerd://2.4.2");
  EXPECT_TRUE((*nodes)[0].ready);
  EXPECT_EQ((*nodes)[1].container_runtime, "");
  EXPECT_FALSE((*nodes)[1].ready);
  EXPECT_EQ((*nodes)[2].container_runtime, "");
  EXPECT_EQ(http.sent[0].url, "https://x:1/api/v1/nodes");
  EXPECT_FALSE(api.nodes(std::chrono::milliseconds(100)));
}

// The node controller's NoExecute taint is the step between NotReady and an eviction: the drill
// reports a node that went NotReady and was never tainted.
TEST(KubernetesClientTest, NodesSayWhetherTheNodeControllerTaintedThemForEviction) {
  ScriptedHttp http;
  http.answers = {{.status = 200,
                   .body = R"({"items":[
         {"metadata":{"name":"unreachable"},"spec":{"taints":[
           {"key":"node.kubernetes.io/unreachable","effect":"NoSchedule"},
           {"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}]}},
         {"metadata":{"name":"not-ready"},"spec":{"taints":[
           {"key":"node.kubernetes.io/not-ready","effect":"NoExecute"}]}},
         {"metadata":{"name":"only-unschedulable"},"spec":{"taints":[
           {"key":"node.kubernetes.io/unreachable","effect":"NoSchedule"}]}},
         {"metadata":{"name":"someone-elses"},"spec":{"taints":[
           {"key":"example.com/maintenance","effect":"NoExecute"}, 3]}},
         {"metadata":{"name":"odd"},"spec":{"taints":"none"}}]})",
                   .maybe_sent = true}};
  KubernetesClient api(http, "https://x:1");
  auto nodes = api.nodes(std::chrono::milliseconds(100));
  ASSERT_TRUE(nodes);
  ASSERT_EQ(nodes->size(), 5u);
  EXPECT_TRUE((*nodes)[0].tainted_for_eviction);
  EXPECT_TRUE((*nodes)[1].tainted_for_eviction);
  EXPECT_FALSE((*nodes)[2].tainted_for_eviction);
  EXPECT_FALSE((*nodes)[3].tainted_for_eviction);
  EXPECT_FALSE((*nodes)[4].tainted_for_eviction);
}

TEST(KubernetesClientTest, AServicesClusterIpAndNoneForAHeadlessOne) {
  ScriptedHttp http;
  http.answers = {
      {.status = 200, .body = R"({"spec":{"clusterIP":"198.19.128.10"}})", .maybe_sent = true},
      {.status = 200, .body = R"({"spec":{"clusterIP":"None"}})", .maybe_sent = true},
      {.status = 404, .maybe_sent = true}};
  KubernetesClient api(http, "https://x:1");
  EXPECT_EQ(api.service_cluster_ip("kube-system", "kube-dns", std::chrono::milliseconds(100)),
            "198.19.128.10");
  EXPECT_EQ(http.sent[0].url, "https://x:1/api/v1/namespaces/kube-system/services/kube-dns");
  EXPECT_FALSE(api.service_cluster_ip("default", "kv", std::chrono::milliseconds(100)));
  EXPECT_FALSE(api.service_cluster_ip("default", "gone", std::chrono::milliseconds(100)));
}

}  // namespace
}  // namespace zerospof::observe
