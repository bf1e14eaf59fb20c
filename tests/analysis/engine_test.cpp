// analysis/engine.cpp: which scenarios are enumerated (nodes and sets of them, zones, power
// feeds, component stops, bipartitions) and in which order, so that every service's first
// failing scenario is its smallest.
#include "analysis/engine.h"

#include "analysed.h"

namespace zerospof::analysis {
namespace {

using model::Role;
using testing::analysed;
using testing::criterion;
using testing::first_failure;
using testing::summary;
using zerospof::testing::PlanBuilder;

TEST(EngineTest, TheBuiltinPlanHasNoSinglePointOfFailure) {
  const Report report = analysed(PlanBuilder().build());
  EXPECT_FALSE(report.any_down()) << format_text(report, util::Style(false), false);
  // 1 baseline + 5 nodes + component stops + 15 bipartitions of 5 nodes.
  int partitions = 0, stops = 0;
  for (const Scenario& scenario : report.scenarios) {
    partitions += scenario.kind == ScenarioKind::kPartition;
    stops += scenario.kind == ScenarioKind::kComponentStopped;
  }
  EXPECT_EQ(partitions, 15);
  EXPECT_EQ(stops, 3 * 7 + 2 * 1);  // control-plane nodes: 7 components; workers: kubelet
  for (const Criterion& c : report.criteria)
    EXPECT_NE(c.result, Criterion::Result::kFail) << c.text << ": " << c.reason;
  EXPECT_EQ(summary(report, "etcd").worst, Health::kDegraded);
}

TEST(EngineTest, TwoFailuresFindTheSmallestFailingPair) {
  const Report report = analysed(PlanBuilder().build(), {}, 2);
  EXPECT_TRUE(report.any_down());
  const ServiceSummary& etcd = summary(report, "etcd");
  EXPECT_EQ(etcd.worst, Health::kDown);
  EXPECT_EQ(etcd.scenario.failure_count, 2);
  EXPECT_EQ(first_failure(report, "etcd"),
            "nodes micklethefickle+cloudserver1 down: 1 of 3 members left, no quorum (needs 2)");
}

// The rare path: a split in which neither side keeps etcd quorum takes the API down; a split
// with a majority side only degrades.
TEST(EngineTest, APartitionWithoutAMajorityTakesTheApiDown) {
  const Report report = analysed(
      PlanBuilder().roles("cloudserver3", {Role::kWorker, Role::kStorage, Role::kEtcd}).build());
  const ServiceSummary& etcd = summary(report, "etcd");
  ASSERT_EQ(etcd.worst, Health::kDown);
  const Scenario& split = etcd.scenario;
  EXPECT_EQ(split.kind, ScenarioKind::kPartition);
  EXPECT_EQ(report.scenario_name(split),
            "partition micklethefickle,cloudserver1 | cloudserver2,cloudserver3,blackboar");
  const Report builtin = analysed(PlanBuilder().build());
  for (const ScenarioResult& result : builtin.results)
    if (builtin.scenarios[result.scenario].kind == ScenarioKind::kPartition) {
      EXPECT_NE(result.worst, Health::kDown);
    }
}

TEST(EngineTest, AZoneFailureCountsAsOneFailure) {
  const Report report = analysed(PlanBuilder().zones({"a", "a", "b", "c", "c"}).build());
  EXPECT_TRUE(report.zones);
  EXPECT_EQ(report.domain_names.size(), 3u);
  EXPECT_EQ(first_failure(report, "etcd"), "zone a down: 1 of 3 members left, no quorum (needs 2)");
}

// Two etcd members on one power feed: no single node takes etcd down, the feed does; that is
// the single point of failure an object-by-object or node-by-node view misses.
TEST(EngineTest, APowerFeedUnderTwoEtcdMembersTakesEtcdDown) {
  const Report report = analysed(PlanBuilder().power_feeds({"A", "A", "B", "B", "B"}).build());
  EXPECT_EQ(report.power_feed_names, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(first_failure(report, "etcd"),
            "power feed A down: 1 of 3 members left, no quorum (needs 2)");
  EXPECT_EQ(summary(report, "etcd").scenario.kind, ScenarioKind::kPowerFeedDown);
  EXPECT_EQ(summary(report, "etcd").scenario.failure_count, 1);
  const Criterion& quorum = criterion(report, "etcd cluster maintains quorum");
  EXPECT_EQ(quorum.result, Criterion::Result::kFail);
  EXPECT_NE(quorum.reason.find("with power feed A down, 1 of 3 members are left"),
            std::string::npos)
      << quorum.reason;
  // The same nodes without feeds: no single failure takes etcd down.
  EXPECT_NE(summary(analysed(PlanBuilder().build()), "etcd").worst, Health::kDown);
}

// Nodes carry their feed as a label (render sets zerospof.io/power-feed), so a workload pinned to
// one feed by a node selector goes down with it.
TEST(EngineTest, AWorkloadPinnedToOneFeedGoesDownWithIt) {
  const Report report = analysed(PlanBuilder().power_feeds({"A", "B", "C", "A", "A"}).build(),
                                 testing::inline_manifests(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {zerospof.io/power-feed: A}
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
           labelSelector: {matchLabels: {app: web}}}
      containers: [{name: web}]
)"));
  const ServiceSummary& web = summary(report, "deployment/shop/web");
  EXPECT_EQ(web.worst, Health::kDown);
  EXPECT_EQ(report.scenario_name(web.scenario), "power feed A down");
}

TEST(EngineTest, FeedsThatSplitTheEtcdMembersTakeNothingDown) {
  const Report report = analysed(PlanBuilder().power_feeds({"A", "B", "C", "A", "B"}).build());
  EXPECT_NE(summary(report, "etcd").worst, Health::kDown);
  EXPECT_EQ(criterion(report, "etcd cluster maintains quorum").result, Criterion::Result::kPass);
  int feed_scenarios = 0;
  for (const ScenarioResult& result : report.results)
    feed_scenarios += report.scenarios[result.scenario].kind == ScenarioKind::kPowerFeedDown;
  EXPECT_EQ(feed_scenarios, 2);  // A and B; C feeds cloudserver2 alone, its node's scenario
  EXPECT_EQ(report.power_feed_names, (std::vector<std::string>{"A", "B"}));
}

TEST(EngineTest, ComponentStopsDegradeWithoutTakingAnythingDown) {
  const Report report = analysed(PlanBuilder().addresses().build());
  bool saw_etcd_stop = false, saw_kubelet_stop = false;
  for (const ScenarioResult& result : report.results) {
    const Scenario& scenario = report.scenarios[result.scenario];
    if (scenario.kind != ScenarioKind::kComponentStopped) continue;
    EXPECT_NE(result.worst, Health::kDown) << report.scenario_name(scenario);
    saw_etcd_stop = saw_etcd_stop ||
                    (scenario.component == Component::kEtcd && result.worst == Health::kDegraded);
    saw_kubelet_stop =
        saw_kubelet_stop || (scenario.component == Component::kKubelet &&
                             report.scenario_name(scenario) == "kubelet stopped on blackboar" &&
                             result.worst == Health::kDegraded);
  }
  EXPECT_TRUE(saw_etcd_stop);
  EXPECT_TRUE(saw_kubelet_stop);
}

}  // namespace
}  // namespace zerospof::analysis
