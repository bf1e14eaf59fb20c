// analysis/interchangeable_nodes.cpp: the representatives of the failed-node sets, checked
// against a brute-force enumeration; and the analysis with interchangeable nodes merged checked
// against the analysis that judges every set on its own, on random plans: the same verdict for
// every scenario, the same counts, the same first failing scenario of every service.
#include "analysis/interchangeable_nodes.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "analysis/analysis.h"

namespace zerospof::analysis {
namespace {

// The representative of `nodes`: as many of the first members of each class.
std::vector<int> representative(const std::vector<int>& nodes, const std::vector<int>& class_of,
                                const std::vector<std::vector<int>>& members) {
  std::map<int, int> count;
  for (int node : nodes) ++count[class_of[node]];
  std::vector<int> result;
  for (const auto& [node_class, m] : count)
    result.insert(result.end(), members[node_class].begin(), members[node_class].begin() + m);
  std::sort(result.begin(), result.end());
  return result;
}

void for_each_combination(int n, int size, const std::function<void(const std::vector<int>&)>& f) {
  std::vector<int> chosen(size);
  for (int i = 0; i < size; ++i) chosen[i] = i;
  while (true) {
    f(chosen);
    int i = size - 1;
    while (i >= 0 && chosen[i] == n - size + i) --i;
    if (i < 0) return;
    ++chosen[i];
    for (int j = i + 1; j < size; ++j) chosen[j] = chosen[j - 1] + 1;
  }
}

TEST(InterchangeableNodes, RepresentativesAreEveryClassMultisetOnceInLexicographicOrder) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    int n = 1 + static_cast<int>(random() % 12);
    int labels = 1 + static_cast<int>(random() % 4);
    std::vector<std::vector<std::int64_t>> signatures(n);
    for (auto& signature : signatures) signature = {static_cast<std::int64_t>(random() % labels)};
    InterchangeableNodes nodes(n, signatures);
    std::vector<int> class_of(n);
    std::vector<std::vector<int>> members(nodes.class_count());
    for (int node = 0; node < n; ++node) {
      class_of[node] = nodes.class_of(node);
      members[class_of[node]].push_back(node);
      EXPECT_EQ(nodes.first_of_class(node), members[class_of[node]].front() == node);
    }
    for (int c = 0; c < nodes.class_count(); ++c) EXPECT_EQ(nodes.members(c), members[c]);
    for (int size = 1; size <= std::min(n, 4); ++size) {
      std::map<std::vector<int>, long> expected;  // ordered: lexicographic
      for_each_combination(n, size, [&](const std::vector<int>& chosen) {
        ++expected[representative(chosen, class_of, members)];
      });
      std::vector<std::pair<std::vector<int>, long>> visited;
      nodes.for_each_representative(size, [&](const std::vector<int>& chosen, long weight) {
        visited.emplace_back(chosen, weight);
      });
      const std::vector<std::pair<std::vector<int>, long>> wanted(expected.begin(), expected.end());
      EXPECT_EQ(visited, wanted) << "trial " << trial << ", " << n << " nodes, size " << size;
    }
  }
}

TEST(InterchangeableNodes, WithoutSignaturesEveryNodeIsAlone) {
  InterchangeableNodes nodes(5);
  EXPECT_EQ(nodes.class_count(), 5);
  EXPECT_FALSE(nodes.any_merged());
  long sets = 0;
  nodes.for_each_representative(2, [&](const std::vector<int>&, long weight) {
    EXPECT_EQ(weight, 1);
    ++sets;
  });
  EXPECT_EQ(sets, 10);
}

TEST(InterchangeableNodes, TheWeightsOfLargeClassesAreBinomials) {
  // 10,000 nodes in two classes: the pairs are 3 multisets, C(10000, 2) sets in all.
  std::vector<std::vector<std::int64_t>> signatures(10000);
  for (int node = 0; node < 10000; ++node) signatures[node] = {node < 3 ? node : -1};
  InterchangeableNodes nodes(10000, signatures);
  EXPECT_EQ(nodes.class_count(), 4);
  long total = 0, visited = 0;
  nodes.for_each_representative(3, [&](const std::vector<int>&, long weight) {
    total += weight;
    ++visited;
  });
  EXPECT_EQ(total, 10000L * 9999 * 9998 / 6);
  // Multisets of 3 over 4 classes, three of them of one node: 3, 2, 1 or 0 of the large class
  // with the rest from the three single nodes: 1 + 3 + 3 + 1.
  EXPECT_EQ(visited, 8);
}

// --- The analysis, merged against one by one -------------------------------------------------

struct RandomPlan {
  model::Cluster cluster;
  model::Manifests manifests;
};

// Three control-plane and etcd nodes, then workers that differ (or not) in capacity, storage,
// and which of a few node pools the workloads pin themselves to.
RandomPlan random_plan(std::mt19937& random) {
  RandomPlan plan;
  model::Cluster& cluster = plan.cluster;
  cluster.name = "random";
  int workers = 4 + static_cast<int>(random() % 17);
  bool local_proxy = random() % 3 == 0;
  bool capacities = random() % 2 == 0;  // else unknown: capacity never limits
  // Zones: domains are zones then, judged one by one; only component stops merge.
  bool zoned = random() % 4 == 0;
  if (local_proxy) cluster.endpoint.mode = model::EndpointMode::kLocalProxy;
  cluster.storage.provider =
      random() % 2 ? model::StorageProvider::kLonghorn : model::StorageProvider::kRookCeph;
  cluster.storage.replicas = 2 + static_cast<int>(random() % 2);
  for (int i = 0; i < 3 + workers; ++i) {
    model::Node node;
    node.name = fmt::format("node-{:02}", i);
    node.host = node.name;
    if (i < 3) {
      node.roles = {model::Role::kControlPlane, model::Role::kEtcd};
      if (random() % 2) node.roles.push_back(model::Role::kWorker);
    } else {
      node.roles = {model::Role::kWorker};
      if (random() % 2) node.roles.push_back(model::Role::kStorage);
      if (capacities)
        node.capacity =
            model::Capacity{static_cast<std::int64_t>(2000 * (1 + random() % 2)), 8LL << 30};
    }
    if (zoned) node.zone = std::string(1, static_cast<char>('a' + i % 3));
    cluster.nodes.push_back(std::move(node));
  }
  // Two node pools, each some of the workers, that workloads may pin themselves to.
  std::vector<model::LabelRequirement> pools(
      2, {"kubernetes.io/hostname", model::LabelRequirement::Operator::kIn, {}});
  for (auto& pool : pools)
    for (int i = 3; i < 3 + workers; ++i)
      if (random() % 2) pool.values.push_back(cluster.nodes[i].name);
  int workloads = 1 + static_cast<int>(random() % 8);
  for (int w = 0; w < workloads; ++w) {
    model::Workload workload;
    workload.kind = random() % 5 == 0   ? model::WorkloadKind::kDaemonSet
                    : random() % 4 == 0 ? model::WorkloadKind::kStatefulSet
                                        : model::WorkloadKind::kDeployment;
    workload.name = fmt::format("app-{}", w);
    workload.replicas = 1 + static_cast<int>(random() % 5);
    workload.pod_labels = {{"app", workload.name}};
    workload.cpu_request_millicores = static_cast<std::int64_t>(500 * (1 + random() % 4));
    workload.memory_request_bytes = 1LL << 30;
    workload.priority = static_cast<std::int32_t>(random() % 3);
    workload.preempts = random() % 2 == 0;
    if (random() % 2) workload.spread.required_key = model::SpreadKey::kHostname;
    if (int pool = static_cast<int>(random() % 3); pool < 2)
      workload.node_affinity_terms.push_back({pools[pool]});
    plan.manifests.workloads.push_back(std::move(workload));
  }
  return plan;
}

using ScenarioKey = std::tuple<ScenarioKind, std::vector<int>, int, Component, int>;

ScenarioKey key_of(const Scenario& scenario) {
  return {scenario.kind, scenario.domains, scenario.node, scenario.component, scenario.power_feed};
}

// What a verdict says, but the node a local proxy stopped on (its reason names the node).
auto said(const Verdict& verdict) {
  return std::make_tuple(verdict.subject, verdict.health, verdict.now, verdict.after,
                         verdict.reason, verdict.live, verdict.total, verdict.live_after,
                         verdict.reason == Reason::kNodeLosesApi ? 0 : verdict.extra);
}

TEST(InterchangeableNodes, MergedAnalysisSaysWhatJudgingEveryNodeSays) {
  std::mt19937 random(2026);
  int plans_with_merges = 0;
  for (int trial = 0; trial < 60; ++trial) {
    RandomPlan plan = random_plan(random);
    Options options;
    options.failures = 1 + trial % 3;
    options.partitions = false;
    options.rendered_addons = trial % 2 == 0;
    const Report every = analyse(plan.cluster, plan.manifests, options);
    options.merge_interchangeable_nodes = true;
    const Report merged = analyse(plan.cluster, plan.manifests, options);
    SCOPED_TRACE(fmt::format("trial {}, {} nodes, failures {}", trial, plan.cluster.nodes.size(),
                             options.failures));
    EXPECT_EQ(every.scenario_count, merged.scenario_count);
    for (int h = 0; h < 3; ++h) EXPECT_EQ(every.health_counts[h], merged.health_counts[h]);
    EXPECT_EQ(every.judged_count, every.scenario_count);
    if (merged.interchangeable_nodes.empty()) {
      EXPECT_EQ(merged.judged_count, merged.scenario_count);
      continue;
    }
    ++plans_with_merges;
    EXPECT_LT(merged.judged_count, merged.scenario_count);
    // Every scenario judged one by one has the verdicts of its representative.
    std::vector<int> class_of(plan.cluster.nodes.size());
    std::vector<std::vector<int>> members;
    for (std::size_t node = 0; node < class_of.size(); ++node) {
      class_of[node] = static_cast<int>(members.size());
      members.push_back({static_cast<int>(node)});
    }
    for (const std::vector<int>& interchangeable : merged.interchangeable_nodes) {
      for (int node : interchangeable) class_of[node] = class_of[interchangeable.front()];
      members[class_of[interchangeable.front()]] = interchangeable;
    }
    std::map<ScenarioKey, const ScenarioResult*> judged;
    long represented = 0;
    for (const ScenarioResult& result : merged.results) {
      judged[key_of(merged.scenarios[result.scenario])] = &result;
      represented += merged.scenarios[result.scenario].represents;
    }
    EXPECT_EQ(represented, merged.scenario_count);
    for (const ScenarioResult& result : every.results) {
      Scenario scenario = every.scenarios[result.scenario];
      // With zones the domains are zones, judged one by one.
      if (scenario.kind == ScenarioKind::kDomainsDown && !every.zones)
        scenario.domains = representative(scenario.domains, class_of, members);
      if (scenario.kind == ScenarioKind::kComponentStopped)
        scenario.node = members[class_of[scenario.node]].front();
      auto found = judged.find(key_of(scenario));
      ASSERT_NE(found, judged.end()) << every.scenario_name(every.scenarios[result.scenario]);
      EXPECT_EQ(result.worst, found->second->worst);
      ASSERT_EQ(result.verdicts.size(), found->second->verdicts.size())
          << every.scenario_name(every.scenarios[result.scenario]);
      for (std::size_t v = 0; v < result.verdicts.size(); ++v)
        EXPECT_EQ(said(result.verdicts[v]), said(found->second->verdicts[v]))
            << every.scenario_name(every.scenarios[result.scenario]);
    }
    // The first scenario in which each service reaches its worst is the same one.
    ASSERT_EQ(every.summaries.size(), merged.summaries.size());
    for (std::size_t s = 0; s < every.summaries.size(); ++s) {
      EXPECT_EQ(every.summaries[s].worst, merged.summaries[s].worst);
      EXPECT_EQ(key_of(every.summaries[s].scenario), key_of(merged.summaries[s].scenario))
          << every.services[s].name;
    }
  }
  // The property is about merging: most random plans must have merged something.
  EXPECT_GT(plans_with_merges, 30);
}

}  // namespace
}  // namespace zerospof::analysis
