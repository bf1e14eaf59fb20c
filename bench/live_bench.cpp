// `zerospof status` and `zerospof audit` on a large live cluster, without one: a generated API of
// 1,000 nodes served as the apiserver pages it (500 objects a page, continue tokens) by an
// in-memory HttpClient, and 1,000 healthy hosts as the SSH round trips would report them.
// Measured: reading and parsing every list (observe_api), judging it (status::assess), and the
// audit (the objects through the manifest loader, then check's engine on every single failure).
// Three placement shapes, since each shape exercises the engine differently: replicas spread one
// per node, every workload's replicas packed on one node, and many one-replica workloads.
// Run: scripts/bench-live.sh
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "generated_cluster.h"
#include "observe/api_state.h"
#include "status/status.h"

namespace zerospof {
namespace {

using nlohmann::json;

enum Shape { kSpread = 0, kPacked = 1, kSingles = 2 };

using bench::generated_cluster;
using bench::node_name;

// Every list the observers ask for, as the API answers it: path -> items.
struct GeneratedApi {
  std::map<std::string, std::vector<json>> lists;
};

GeneratedApi generated_api(int nodes, int pods, Shape shape) {
  GeneratedApi api;
  auto& node_items = api.lists["/api/v1/nodes"];
  for (int i = 0; i < nodes; ++i)
    node_items.push_back({{"metadata", {{"name", node_name(i)}}},
                          {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
  int workers = nodes - 3;
  for (int w = 0, placed = 0; placed < pods; ++w) {
    int replicas = shape == kSingles ? 1 : std::min(1 + w % 5, pods - placed);
    std::string name = fmt::format("app-{}", w), ns = fmt::format("team-{}", w % 50);
    json labels = {{"app", name}};
    json container = {{"name", "c"}, {"image", "i"}};
    container["readinessProbe"]["httpGet"] = {{"path", "/"}, {"port", 80}};
    json deployment;
    deployment["metadata"] = {{"namespace", ns}, {"name", name}};
    deployment["spec"]["replicas"] = replicas;
    deployment["spec"]["selector"]["matchLabels"] = labels;
    deployment["spec"]["template"]["metadata"]["labels"] = labels;
    deployment["spec"]["template"]["spec"]["containers"] = json::array({container});
    deployment["status"]["readyReplicas"] = replicas;
    api.lists["/apis/apps/v1/deployments"].push_back(deployment);
    api.lists["/api/v1/services"].push_back(
        {{"metadata", {{"namespace", ns}, {"name", name}}},
         {"spec", {{"selector", labels}, {"ports", {{{"port", 80}}}}}}});
    for (int r = 0; r < replicas; ++r, ++placed) {
      int node = 3 + (shape == kPacked ? w % workers : (placed + r * 7) % workers);
      api.lists["/api/v1/pods"].push_back(
          {{"metadata",
            {{"namespace", ns}, {"name", fmt::format("{}-{}", name, r)}, {"labels", labels}}},
           {"spec", {{"nodeName", node_name(node)}}},
           {"status",
            {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
    }
  }
  for (const char* lease : {"kube-scheduler", "kube-controller-manager"})
    api.lists["/apis/coordination.k8s.io/v1/leases"].push_back(
        {{"metadata", {{"namespace", "kube-system"}, {"name", lease}}},
         {"spec",
          {{"holderIdentity", "node-0000_x"},
           {"leaseDurationSeconds", 4},
           {"renewTime", "2026-12-04T05:20:00.000000Z"}}}});
  return api;
}

// Pages of 500, as the apiserver gives them.
class GeneratedHttp : public observe::HttpClient {
 public:
  GeneratedHttp(const GeneratedApi& api, std::string server) : server_(std::move(server)) {
    for (const auto& [path, items] : api.lists) {
      for (std::size_t start = 0, page = 0; start == 0 || start < items.size();
           start += 500, ++page) {
        json body{{"items", json::array()}, {"metadata", json::object()}};
        for (std::size_t i = start; i < std::min(items.size(), start + 500); ++i)
          body["items"].push_back(items[i]);
        if (start + 500 < items.size()) body["metadata"]["continue"] = fmt::format("p{}", page + 1);
        std::string url = server_ + path + "?limit=500";
        if (page > 0) url += fmt::format("&continue=p{}", page);
        pages_[url] = body.dump();
        if (items.empty()) break;
      }
    }
  }
  observe::HttpResponse send(const observe::HttpRequest& request) override {
    auto found = pages_.find(request.url);
    if (found == pages_.end()) return {.status = 200, .body = R"({"items":[]})"};
    return {.status = 200, .body = found->second};
  }

 private:
  std::string server_;
  std::map<std::string, std::string> pages_;
};

status::Observations healthy_hosts(const model::Cluster& cluster) {
  status::Observations observed;
  for (const model::Node& node : cluster.nodes) {
    observe::HostState host{.node = node.name, .reachable = true};
    host.units.push_back({.unit = "zerospof-kubelet.service", .active = "active", .enabled = true});
    observed.hosts.push_back(std::move(host));
  }
  for (const model::Node* node : cluster.nodes_with_role(model::Role::kEtcd)) {
    observed.etcd.members.push_back({.node = node->name, .answered = true});
    observed.etcd.listed.push_back(node->name);
    observed.ready_apiservers.push_back(node->name);
  }
  observed.hosts.front().holds_vip = true;
  observed.now = 1796361600;
  return observed;
}

constexpr int kPods = 10000;

void BM_ObserveApi(benchmark::State& state) {
  auto api = generated_api(static_cast<int>(state.range(0)), kPods, Shape(state.range(1)));
  GeneratedHttp http(api, "https://198.19.255.254:6443");
  for (auto _ : state) {
    auto observed =
        observe::observe_api(http, "https://198.19.255.254:6443", std::chrono::milliseconds(1000));
    if (!observed.reachable) state.SkipWithError(observed.error.c_str());
    benchmark::DoNotOptimize(observed);
  }
}

// The generated cluster and what observing it gives, for the benchmark's arguments.
struct Observed {
  model::Cluster cluster;
  status::Observations observations;
};

Observed observed_cluster(const benchmark::State& state) {
  Observed out{.cluster = generated_cluster(static_cast<int>(state.range(0)))};
  auto api = generated_api(static_cast<int>(state.range(0)), kPods, Shape(state.range(1)));
  GeneratedHttp http(api, "https://198.19.255.254:6443");
  out.observations = healthy_hosts(out.cluster);
  out.observations.api =
      observe::observe_api(http, "https://198.19.255.254:6443", std::chrono::milliseconds(1000));
  return out;
}

void BM_StatusAssess(benchmark::State& state) {
  Observed observed = observed_cluster(state);
  for (auto _ : state)
    benchmark::DoNotOptimize(status::assess(observed.cluster, observed.observations));
}

void BM_Audit(benchmark::State& state) {
  Observed observed = observed_cluster(state);
  for (auto _ : state) {
    auto report = audit::audit(observed.cluster, observed.observations, {.failures = 1});
    if (!report) state.SkipWithError(report.error().message.c_str());
    benchmark::DoNotOptimize(report);
  }
}

void shapes(benchmark::internal::Benchmark* benchmark) {
  for (int shape : {kSpread, kPacked, kSingles}) benchmark->Args({1000, shape});
  benchmark->ArgNames({"nodes", "shape"})->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_ObserveApi)->Apply(shapes);
BENCHMARK(BM_StatusAssess)->Apply(shapes);
BENCHMARK(BM_Audit)->Apply(shapes)->Iterations(3);

}  // namespace
}  // namespace zerospof

BENCHMARK_MAIN();
