// `zerospof check` at scale: generated plans of 5, 100 and 1,000 nodes with up to 50,000 pods,
// every single-node and every two-node failure (plus component stops; bipartitions only where
// there are at most 16 domains). Targets: 1,000 nodes, 50,000 pods, K=2 in under 1 s on one core
// on every shape (issues 2 and 12), cost linear in pods x scenarios; 10,000 nodes, K=2 (50
// million scenarios) in under 1 s where nodes are interchangeable (issue 12).
// Run: scripts/bench-check.sh
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "analysis/analysis.h"
#include "generated_cluster.h"
#include "model/cluster.h"
#include "model/workload.h"

namespace zerospof {
namespace {

// A workload of team `index % 50` with requests and both probes, as every shape makes them.
model::Workload team_workload(model::WorkloadKind kind, const std::string& name, int index,
                              int replicas) {
  model::Workload workload;
  workload.kind = kind;
  workload.namespace_name = fmt::format("team-{}", index % 50);
  workload.name = name;
  workload.replicas = replicas;
  workload.pod_labels = {{"app", workload.name}};
  workload.cpu_request_millicores = 100;
  workload.memory_request_bytes = 128LL << 20;
  workload.has_liveness_probe = workload.has_readiness_probe = true;
  return workload;
}

// 20 "pools" of workers that workloads pin themselves to by node affinity, as real clusters do
// with node groups.
model::Manifests generated_workloads(int nodes, int pods) {
  model::Manifests manifests;
  int workers = nodes - 3;
  int pools = std::min(20, workers);
  for (int i = 0, placed = 0; placed < pods; ++i) {
    model::Workload workload = team_workload(
        i % 10 == 9 ? model::WorkloadKind::kStatefulSet : model::WorkloadKind::kDeployment,
        fmt::format("app-{}", i), i, std::min(1 + i % 9, pods - placed));
    if (i % 4 != 3) workload.spread.required_key = model::SpreadKey::kHostname;
    if (i % 3 == 0 && pools > 1) {
      model::LabelRequirement pool{
          "kubernetes.io/hostname", model::LabelRequirement::Operator::kIn, {}};
      for (int w = i % pools; w < workers; w += pools)
        pool.values.push_back(fmt::format("node-{:04}", 3 + w));
      workload.node_affinity_terms.push_back({pool});
    }
    placed += workload.replicas;
    manifests.workloads.push_back(std::move(workload));
  }
  return manifests;
}

// Issue 12's shape: Deployments of 10 replicas with only a preferred anti-affinity (nothing
// stops the scheduler from stacking them), a PodDisruptionBudget on one in ten, no pools.
model::Manifests preferred_spread_workloads(int pods) {
  model::Manifests manifests;
  for (int i = 0; i * 10 < pods; ++i) {
    model::Workload workload =
        team_workload(model::WorkloadKind::kDeployment, fmt::format("web-{}", i), i, 10);
    workload.spread.preferred = true;
    if (i % 10 == 0) {
      model::DisruptionBudget budget;
      budget.namespace_name = workload.namespace_name;
      budget.name = workload.name;
      budget.selector.match_labels = workload.pod_labels;
      budget.min_available = 8;
      manifests.budgets.push_back(std::move(budget));
    }
    manifests.workloads.push_back(std::move(workload));
  }
  return manifests;
}

// Against the shortcuts of the engine: every workload may land on every worker (one eligibility
// class, so every scenario touches it and no class is skipped as untouched), each at a priority
// level of its own, every other one with preemptionPolicy Never (a thousand levels around each
// group's), and the workers on power feeds of 20 nodes each (one more scenario per feed, 20
// nodes down at once).
model::Manifests priority_levels_workloads(int pods) {
  model::Manifests manifests;
  for (int i = 0; i * 10 < pods; ++i) {
    model::Workload workload =
        team_workload(model::WorkloadKind::kDeployment, fmt::format("job-{}", i), i, 10);
    workload.spread.required_key = model::SpreadKey::kHostname;
    workload.priority = i;
    workload.preempts = i % 2 == 0;
    manifests.workloads.push_back(std::move(workload));
  }
  return manifests;
}

// Against interchangeable nodes: every worker has a capacity of its own, so no two nodes are
// alike and every set of failed nodes is judged on its own, as without merging.
model::Manifests distinct_nodes_workloads(model::Cluster& cluster, int pods) {
  for (std::size_t i = 3; i < cluster.nodes.size(); ++i)
    cluster.nodes[i].capacity->cpu_millicores = 32000 + static_cast<std::int64_t>(i);
  return generated_workloads(static_cast<int>(cluster.nodes.size()), pods);
}

// Zones: the nodes in three zones, the workloads spread over them (DoNotSchedule on the zone
// key, as the fix of replicas-may-share-node says), StatefulSets among them. Failure domains are
// zones then, so K=2 is a handful of zone pairs; the component stops are per node.
model::Manifests zone_spread_workloads(model::Cluster& cluster, int pods) {
  for (std::size_t i = 0; i < cluster.nodes.size(); ++i)
    cluster.nodes[i].zone = fmt::format("zone-{}", i % 3);
  model::Manifests manifests;
  for (int i = 0; i * 6 < pods; ++i) {
    model::Workload workload = team_workload(
        i % 5 == 4 ? model::WorkloadKind::kStatefulSet : model::WorkloadKind::kDeployment,
        fmt::format("svc-{}", i), i, 6);
    workload.spread.required_key = model::SpreadKey::kZone;
    workload.spread.max_skew = 1;
    manifests.workloads.push_back(std::move(workload));
  }
  return manifests;
}

enum Shape {
  kPools = 0,
  kPreferredSpread = 1,
  kPriorityLevelsAndFeeds = 2,
  kDistinctNodes = 3,
  kZoneSpread = 4
};

// `json`: the report is also written as `check -o json` writes it (its size grew with scenarios
// times services before schemaVersion 2). `merged`: interchangeable nodes judged once per class,
// as `zerospof check` does past 64 nodes (else every set of nodes on its own, `--each-node`).
void run_check(benchmark::State& state, int nodes, int pods, int failures, int shape = kPools,
               bool json = false, bool merged = false) {
  model::Cluster cluster = bench::generated_cluster(nodes);
  model::Manifests manifests = shape == kPreferredSpread          ? preferred_spread_workloads(pods)
                               : shape == kPriorityLevelsAndFeeds ? priority_levels_workloads(pods)
                               : shape == kDistinctNodes ? distinct_nodes_workloads(cluster, pods)
                               : shape == kZoneSpread    ? zone_spread_workloads(cluster, pods)
                                                         : generated_workloads(nodes, pods);
  if (shape == kPriorityLevelsAndFeeds)
    for (int i = 3; i < nodes; ++i)
      cluster.nodes[i].power_feed = fmt::format("feed-{}", (i - 3) / 20);
  analysis::Options options;
  options.failures = failures;
  options.keep_ok_scenarios = nodes <= 64;  // as `zerospof check` does
  if (nodes > 64) options.detail_limit = 2000, options.detail_verdict_limit = 100000;
  options.merge_interchangeable_nodes = merged;
  size_t scenarios = 0, judged = 0, json_bytes = 0;
  for (auto _ : state) {
    // `zerospof check` hands its manifests over; the copy here is the benchmark's, not timed.
    state.PauseTiming();
    model::Manifests given = manifests;
    state.ResumeTiming();
    analysis::Report report = analysis::analyse(cluster, std::move(given), options);
    scenarios = static_cast<size_t>(report.scenario_count);
    judged = static_cast<size_t>(report.judged_count);
    if (json) json_bytes = analysis::format_json(report).size();
    benchmark::DoNotOptimize(report);
  }
  state.counters["pods"] = pods;
  state.counters["scenarios"] = static_cast<double>(scenarios);
  state.counters["judged"] = static_cast<double>(judged);
  state.counters["workloads"] = static_cast<double>(manifests.workloads.size());
  if (json) state.counters["json_bytes"] = static_cast<double>(json_bytes);
}

void BM_Check(benchmark::State& state) {
  run_check(state, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
            static_cast<int>(state.range(2)));
}

// nodes, pods, failures
BENCHMARK(BM_Check)
    ->ArgNames({"nodes", "pods", "failures"})
    ->Args({5, 100, 1})
    ->Args({5, 100, 2})
    ->Args({100, 5000, 1})
    ->Args({100, 5000, 2})
    ->Args({1000, 50000, 1})
    ->Args({1000, 12500, 2})
    ->Args({1000, 25000, 2})
    ->Args({1000, 50000, 2})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

void BM_CheckShape(benchmark::State& state) {
  run_check(state, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
            static_cast<int>(state.range(2)), static_cast<int>(state.range(3)), true,
            state.range(4) != 0);
}

// nodes, pods, failures, shape (0: node pools, 1: preferred spread only, PDB on one in ten,
// 2: one class, a priority level per workload, power feeds, 3: node pools, no two workers
// alike, 4: three zones, zone spread), merged (interchangeable nodes once per class), with the JSON report. The 1,000-node
// shapes each way side by side; 10,000 nodes only merged (50 million scenarios one by one).

BENCHMARK(BM_CheckShape)
    ->ArgNames({"nodes", "pods", "failures", "shape", "merged"})
    ->Args({1000, 50000, 2, kPools, 0})
    ->Args({1000, 50000, 2, kPools, 1})
    ->Args({1000, 5000, 2, kPreferredSpread, 0})
    ->Args({1000, 5000, 2, kPreferredSpread, 1})
    ->Args({1000, 50000, 2, kPreferredSpread, 0})
    ->Args({1000, 50000, 2, kPreferredSpread, 1})
    ->Args({1000, 10000, 2, kPriorityLevelsAndFeeds, 0})
    ->Args({1000, 10000, 2, kPriorityLevelsAndFeeds, 1})
    ->Args({1000, 50000, 2, kDistinctNodes, 1})
    ->Args({1000, 50000, 2, kZoneSpread, 0})
    ->Args({1000, 50000, 2, kZoneSpread, 1})
    ->Args({10000, 500000, 2, kPools, 1})
    ->Args({10000, 500000, 2, kPreferredSpread, 1})
    ->Args({10000, 100000, 2, kPriorityLevelsAndFeeds, 1})
    ->Args({10000, 500000, 2, kZoneSpread, 1})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace zerospof

BENCHMARK_MAIN();
