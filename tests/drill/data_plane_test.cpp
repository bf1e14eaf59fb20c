// The data-plane probes against a scripted API and a DNS server of the test behind a fake
// tunnel: what deploy() removes and creates and in which order, where the workload's members may
// run, how real pods are told from kwok's, and what the dns lane counts as an answer.
#include "drill/data_plane.h"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "support/recording_transport.h"
#include "support/unix_dns_server.h"

namespace zerospof::drill {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// An API with the drill's objects: DELETE of anything is a 404 at first (nothing left), POSTs
// are kept, each Service has a cluster IP once created, and the pods of a created object are all
// ready.
class ScriptedCluster : public observe::HttpClient {
 public:
  observe::HttpResponse send(const observe::HttpRequest& request) override {
    std::lock_guard lock(mutex_);
    sent.push_back(request.method + " " + request.url);
    if (request.method == "DELETE") return {.status = 404, .maybe_sent = true};
    if (request.method == "POST") {
      json object = json::parse(request.body);
      created.push_back(object);
      return {.status = 201, .body = "{}", .maybe_sent = true};
    }
    if (request.url.ends_with("/nodes")) return {.status = 200, .body = nodes, .maybe_sent = true};
    if (auto at = request.url.find("/services/"); at != std::string::npos) {
      std::string name = request.url.substr(at + 10);
      if (name == "kube-dns") return service("198.19.128.10");
      if (name == "zerospof-drill-echo" && made("zerospof-drill-echo"))
        return service("198.19.128.20");
      if (name == "zerospof-drill-kv-client" && made("zerospof-drill-kv-client"))
        return service("198.19.128.30");
      return {.status = 404, .maybe_sent = true};
    }
    if (auto at = request.url.find("app.kubernetes.io/name="); at != std::string::npos) {
      std::string name = request.url.substr(at + 23);
      json items = json::array();
      const int replicas = 3;  // echo replicas and workload members alike
      if (made(name))
        for (int i = 0; i < replicas; ++i)
          items.push_back({{"metadata", {{"name", name + "-" + std::to_string(i)}}},
                           {"spec", {{"nodeName", "cloudserver3"}}},
                           {"status",
                            {{"conditions",
                              {{{"type", "Ready"}, {"status", pods_ready ? "True" : "False"}}}}}}});
      return {.status = 200, .body = json{{"items", items}}.dump(), .maybe_sent = true};
    }
    return {.status = 404, .maybe_sent = true};
  }
  bool pods_ready = true;
  bool made(const std::string& name) const {
    for (const json& object : created)
      if (object["metadata"]["name"] == name) return true;
    return false;
  }
  static observe::HttpResponse service(const std::string& address) {
    return {
        .status = 200, .body = json{{"spec", {{"clusterIP", address}}}}.dump(), .maybe_sent = true};
  }

  std::mutex mutex_;
  std::vector<std::string> sent;
  std::vector<json> created;
  std::string nodes;
};

// Tunnels lead to the test's DNS server, whatever the address; every command is recorded.
class TunnellingTransport : public testing::RecordingTransport {
 public:
  util::Result<std::string> tunnel(const std::string& host, const model::IpAddress& address,
                                   int port) override {
    std::lock_guard lock(tunnel_mutex_);
    tunnels.push_back(fmt::format("{} {}:{}", host, address.to_string(), port));
    return socket;
  }
  std::mutex tunnel_mutex_;
  std::vector<std::string> tunnels;
  std::string socket;
};

TEST(WorkloadNodesTest, ThreeWorkersThoseTheNodeScenariosTakeDownFirst) {
  EXPECT_EQ(workload_nodes(plan::builtin_plan()),
            (std::vector<std::string>{"cloudserver3", "blackboar", "cloudserver1"}));
  model::Cluster two_workers = plan::builtin_plan();
  for (model::Node& node : two_workers.nodes)
    if (node.name.starts_with("cloudserver")) std::erase(node.roles, model::Role::kWorker);
  EXPECT_EQ(workload_nodes(two_workers).size(), 1u);
}

TEST(RealPodsRunTest, OnlyWhenEveryNodeHasAContainerRuntime) {
  ScriptedCluster api;
  observe::KubernetesClient client(api, "https://x:1");
  auto node = [](const std::string& runtime) {
    return json{{"metadata", {{"name", "n"}}},
                {"status", {{"nodeInfo", {{"containerRuntimeVersion", runtime}}}}}};
  };
  api.nodes = json{{"items", {node("containerd://2.4.2"), node("containerd://2.4.2")}}}.dump();
  EXPECT_EQ(real_pods_run(client, milliseconds(100)), true);
  // kwok's nodes name kwok as their runtime (render/kwok_stages.cpp): no container runs.
  api.nodes = json{{"items", {node("containerd://2.4.2"), node("kwok-v0.7.0")}}}.dump();
  EXPECT_EQ(real_pods_run(client, milliseconds(100)), false);
  api.nodes = json{{"items", {node("containerd://2.4.2"), node("")}}}.dump();
  EXPECT_EQ(real_pods_run(client, milliseconds(100)), false);
  api.nodes = json{{"items", json::array()}}.dump();
  EXPECT_EQ(real_pods_run(client, milliseconds(100)), false);
  api.nodes = "not json";
  EXPECT_EQ(real_pods_run(client, milliseconds(100)), std::nullopt);
}

TEST(DataPlaneTest, TheWorkloadsMembersStayOnTheirNodesAndTheirDataOnTheNodesDisk) {
  ScriptedCluster api;
  observe::KubernetesClient client(api, "https://x:1");
  TunnellingTransport transport;
  model::Cluster cluster = plan::builtin_plan();
  DataPlane plane(cluster, transport, client);
  json statefulset, echo;
  for (const auto& [path, body] : plane.objects()) {
    json object = json::parse(body);
    if (object["kind"] == "StatefulSet") statefulset = object;
    if (object["kind"] == "Deployment") echo = object;
  }
  ASSERT_FALSE(statefulset.is_null());
  const json& pod = statefulset["spec"]["template"]["spec"];
  EXPECT_EQ(pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
               ["nodeSelectorTerms"][0]["matchExpressions"][0]["values"],
            json(workload_nodes(cluster)));
  EXPECT_EQ(pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
               ["topologyKey"],
            "kubernetes.io/hostname");
  EXPECT_EQ(pod["volumes"][0]["hostPath"]["path"], "/var/lib/zerospof-drill/kv");
  const json& member = pod["containers"][0];
  EXPECT_EQ(member["image"], std::string(model::pinned::kEtcdImage));
  std::string args = member["args"].dump();
  EXPECT_NE(args.find("zerospof-drill-kv-2=http://"
                      "zerospof-drill-kv-2.zerospof-drill-kv.default.svc.cluster.local:2380"),
            std::string::npos)
      << args;
  const json& server = echo["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(server["image"], std::string(model::pinned::kAgnhostImage));
  EXPECT_EQ(server["args"][0], "netexec");
}

// The built-in plan's data plane on the scripted API, through tunnels to the test's DNS server.
class DeployedDataPlaneTest : public ::testing::Test {
 protected:
  ScriptedCluster api;
  observe::KubernetesClient client{api, "https://x:1"};
  TunnellingTransport transport;
  model::Cluster cluster = plan::builtin_plan();
  DataPlane plane{cluster, transport, client, {.ready_limit = std::chrono::seconds(5)}};
};

TEST_F(DeployedDataPlaneTest, DeployRemovesWhatWasLeftBeforeItCreatesAndWaitsForEveryReplica) {
  ASSERT_TRUE(plane.deploy().has_value());
  // Every earlier object deleted before the first is created.
  std::size_t first_post = 0, last_delete = 0;
  for (std::size_t i = 0; i < api.sent.size(); ++i) {
    if (api.sent[i].starts_with("DELETE")) last_delete = i;
    if (api.sent[i].starts_with("POST") && !first_post) first_post = i;
  }
  EXPECT_LT(last_delete, first_post);
  EXPECT_EQ(api.created.size(), 5u);
  // The members' directories go on their nodes only, before anything is created.
  std::vector<std::string> removed_on;
  for (const auto& call : transport.calls())
    if (call.what.find("rm -rf -- '/var/lib/zerospof-drill/kv'") != std::string::npos)
      removed_on.push_back(call.host);
  EXPECT_EQ(removed_on, workload_nodes(cluster));
  EXPECT_TRUE(plane.problems().empty());
  EXPECT_TRUE(plane.has_workload());
}

// A drill stopped by the operator while the pods start stops waiting for them at once, where the
// limit is minutes (here 30 s: the test fails rather than hangs if the stop is not heeded).
TEST_F(DeployedDataPlaneTest, AStoppedDrillWaitsNoLongerForReplicasThatAreNotReady) {
  api.pods_ready = false;
  DataPlane slow{cluster, transport, client, {.ready_limit = std::chrono::seconds(30)}};
  int asked = 0;
  auto stop_on_the_third_question = [&] { return ++asked >= 3; };
  const auto start = std::chrono::steady_clock::now();
  auto deployed = slow.deploy(stop_on_the_third_question);
  ASSERT_FALSE(deployed);
  EXPECT_NE(deployed.error().message.find("the drill was stopped before they were ready"),
            std::string::npos)
      << deployed.error().message;
  asked = 0;
  EXPECT_FALSE(slow.wait_ready(std::chrono::seconds(30), stop_on_the_third_question).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  EXPECT_GE(asked, 3) << "the stop was asked for between the polls";
}

// An earlier drill's pods that never go (the scripted API keeps them): the wait for them ends
// at the stop too, and nothing is created.
TEST_F(DeployedDataPlaneTest, AStoppedDrillWaitsNoLongerForAnEarlierDrillsPodsToGo) {
  DataPlane slow{cluster, transport, client, {.ready_limit = std::chrono::seconds(30)}};
  ASSERT_TRUE(slow.deploy().has_value());
  const std::size_t created = api.created.size();
  int asked = 0;
  const auto start = std::chrono::steady_clock::now();
  auto deployed = slow.deploy([&] { return ++asked >= 3; });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  ASSERT_FALSE(deployed);
  EXPECT_NE(deployed.error().message.find("the drill was stopped while the pods of an earlier "
                                          "drill's zerospof-drill-echo and zerospof-drill-kv"),
            std::string::npos)
      << deployed.error().message;
  EXPECT_EQ(api.created.size(), created);
}

TEST_F(DeployedDataPlaneTest, TheDnsLaneWantsTheEchoServicesAddress) {
  ASSERT_TRUE(plane.deploy().has_value());
  std::array<unsigned char, 4> answer{198, 19, 128, 20};
  int response_code = 0;
  std::string asked;
  testing::UnixDnsServer dns([&](int connection, const std::string& query) {
    asked = query;
    testing::send_framed(connection, testing::dns_answer_to(query, {answer}, response_code));
  });
  transport.socket = dns.path();
  std::vector<HealthLane> lanes = plane.lanes({"cloudserver1", "micklethefickle"});
  ASSERT_EQ(lanes.size(), 2u);
  EXPECT_EQ(lanes[0].name, "dns");
  EXPECT_EQ(lanes[1].name, "service");
  // Tunnelled through both client nodes, to kube-dns's and the echo Service's addresses.
  EXPECT_NE(std::find(transport.tunnels.begin(), transport.tunnels.end(),
                      "micklethefickle 198.19.128.10:53"),
            transport.tunnels.end());
  EXPECT_NE(std::find(transport.tunnels.begin(), transport.tunnels.end(),
                      "cloudserver1 198.19.128.20:8080"),
            transport.tunnels.end());
  std::string cause;
  EXPECT_TRUE(lanes[0].check(milliseconds(2000), &cause)) << cause;
  EXPECT_NE(asked.find("\x13zerospof-drill-echo\x07"
                       "default\x03svc"),
            std::string::npos);
  answer = {198, 19, 128, 99};
  EXPECT_FALSE(lanes[0].check(milliseconds(2000), &cause));
  EXPECT_EQ(cause, "another address");
  response_code = 3;
  EXPECT_FALSE(lanes[0].check(milliseconds(2000), &cause));
  EXPECT_EQ(cause, "NXDOMAIN");
  // The workload through each client node, plain HTTP to its client Service.
  auto endpoints = plane.workload_endpoints({"cloudserver1"});
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0].url, "http://198.19.128.30:2379");
}

}  // namespace
}  // namespace zerospof::drill
