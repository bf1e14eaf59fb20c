// The catalogue covers cluster-plan.md's scenarios, and each budget follows the tuning profile.
#include "drill/scenario.h"

#include <gtest/gtest.h>

#include <set>

#include "model/cluster.h"
#include "support/test_plans.h"

namespace zerospof::drill {
namespace {

TEST(ScenarioTest, EveryScenarioOfThePlanThatTheControlPlaneCanShowIsInTheCatalogue) {
  for (const char* name : {"Stop etcd on one node", "Stop kube-apiserver",
                           "Stop entire control plane node", "Partition network, then rejoin"}) {
    bool found = false;
    for (const Scenario& scenario : catalogue()) found |= scenario.plan_name == name;
    EXPECT_TRUE(found) << name;
  }
  EXPECT_NE(find_scenario("etcd-leader-killed"), nullptr);
  EXPECT_EQ(find_scenario("no-such-scenario"), nullptr);
}

render::FailoverBudget budget_of(model::TuningProfile profile) {
  model::Cluster cluster = testing::load_plan(testing::addressed_plan());
  cluster.tuning = model::Tuning::of(profile);
  return render::failover_budget(cluster);
}

TEST(ScenarioTest, TheFastTuningPromisesOneSecondWhereTheGuidesSetupTakesThirty) {
  auto fast = budget_of(model::TuningProfile::kFast);
  auto guide = budget_of(model::TuningProfile::kKubeadmGuide);
  const Scenario& killed = *find_scenario("apiserver-killed");
  EXPECT_EQ(outage_budget(killed, fast, false).count(), 1000);
  EXPECT_GE(outage_budget(killed, guide, true).count(), 30000);
  const Scenario& haproxy = *find_scenario("haproxy-stopped");
  EXPECT_EQ(outage_budget(haproxy, fast, false).count(), 1000);
  EXPECT_GE(outage_budget(haproxy, guide, true).count(), 30000);
  // The primary holds the VIP and leads etcd: its budget is the longer of the two takeovers.
  const Scenario& primary = *find_scenario("primary-down");
  EXPECT_EQ(primary.target, Target::kPrimary);
  EXPECT_EQ(primary.path, FailoverPath::kVipMovesAndEtcdLeaderChanges);
  EXPECT_EQ(outage_budget(primary, fast, false).count(), 1100);
  EXPECT_NE(budget_reason(primary, fast, false).find("alongside an etcd election"),
            std::string::npos);
  // A killed keepalived costs at most the takeover: the target's HAProxy still serves the VIP
  // it cannot give up.
  const Scenario& keepalived = *find_scenario("keepalived-killed");
  EXPECT_EQ(outage_budget(keepalived, fast, false).count(), 1000);
  EXPECT_NE(budget_reason(keepalived, fast, false).find("takes the VIP over"), std::string::npos);
  const Scenario& leader = *find_scenario("etcd-leader-killed");
  EXPECT_EQ(outage_budget(leader, fast, false).count(), 1100);
  EXPECT_NE(budget_reason(leader, fast, false).find("etcd election"), std::string::npos);
}

// The node controller taints dead nodes one at a time at its eviction rate: a second dead worker
// waits its turn, 0.5 s with the fast tuning's 2 a second, 10 s with upstream's 0.1 (two dead
// nodes under the guide moved 356-361 s after the fault, over the 350 s that left it out).
TEST(ScenarioTest, EachFurtherDeadNodeWaitsItsTurnAtTheEvictionRate) {
  auto fast = budget_of(model::TuningProfile::kFast);
  auto guide = budget_of(model::TuningProfile::kKubeadmGuide);
  EXPECT_EQ(find_scenario("two-workers-down")->hosts, 2);
  // 8 s grace + 1 s look, 2 s toleration, 5 s to start elsewhere.
  EXPECT_EQ(reschedule_budget(fast, 1).count(), 16000);
  EXPECT_EQ(reschedule_budget(fast, 2).count(), 16500);
  // 40 s grace + 5 s look, 300 s toleration, 5 s.
  EXPECT_EQ(reschedule_budget(guide, 1).count(), 350000);
  EXPECT_EQ(reschedule_budget(guide, 2).count(), 360000);
  EXPECT_EQ(render::node_eviction_rate(model::Tuning::of(model::TuningProfile::kFast)), 2);
}

TEST(ScenarioTest, AFrozenHaproxyCostsTwoStatsTimeoutsBeforeTheVipMoves) {
  // Stopped, HAProxy refuses the fitness loop at once; frozen, the kernel accepts and nothing
  // answers, so the loop waits its 0.4 s timeout on each of the holder's two checks.
  auto fast = budget_of(model::TuningProfile::kFast);
  auto guide = budget_of(model::TuningProfile::kKubeadmGuide);
  const Scenario& paused = *find_scenario("haproxy-paused");
  EXPECT_EQ(paused.fault, FaultKind::kPauseProcess);
  EXPECT_EQ(paused.path, FailoverPath::kVipMoves);
  EXPECT_EQ(outage_budget(paused, fast, false).count(), 2 * (400 + 200) + 161);
  EXPECT_NE(budget_reason(paused, fast, false).find("frozen HAProxy twice"), std::string::npos);
  EXPECT_EQ(outage_budget(paused, guide, true),
            outage_budget(*find_scenario("haproxy-stopped"), guide, true));
}

// The splits check judges, as drill scenarios: every bipartition of the five nodes once, by its
// smaller side.
TEST(ScenarioTest, EveryBipartitionOfThePlanIsAScenarioOnce) {
  const model::Cluster cluster = testing::load_plan(testing::addressed_plan());
  const std::vector<Scenario> splits = partition_scenarios(cluster);
  ASSERT_EQ(splits.size(), 15u);  // 5 single nodes and 10 pairs: 2^4 - 1
  std::set<std::string> names;
  for (const Scenario& split : splits) {
    EXPECT_EQ(split.fault, FaultKind::kPartition);
    EXPECT_EQ(split.target, Target::kGivenSide);
    EXPECT_LE(split.side.size(), 2u);
    EXPECT_EQ(split.hosts, static_cast<int>(split.side.size()));
    names.insert(split.name);
  }
  EXPECT_EQ(names.size(), 15u);
  EXPECT_EQ(splits.front().name, "partition:micklethefickle");
  EXPECT_TRUE(names.count("partition:cloudserver3+blackboar"));
  // The same split by name, its nodes in any order, is the same scenario.
  auto named = partition_scenario("partition:blackboar+cloudserver3", cluster);
  ASSERT_TRUE(named) << util::format_error(named.error());
  EXPECT_EQ(named->name, "partition:cloudserver3+blackboar");
  EXPECT_EQ(named->description,
            "cloudserver3, blackboar cut off from micklethefickle, cloudserver1, cloudserver2, "
            "then rejoined");
  EXPECT_FALSE(named->side_has_control_plane);
}

TEST(ScenarioTest, ASplitNamingAnUnknownNodeOrEveryNodeIsRefused) {
  const model::Cluster cluster = testing::load_plan(testing::addressed_plan());
  auto unknown = partition_scenario("partition:cloudserver9", cluster);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("the plan has no node 'cloudserver9'"), std::string::npos);
  auto everything = partition_scenario(
      "partition:micklethefickle+cloudserver1+cloudserver2+cloudserver3+blackboar", cluster);
  ASSERT_FALSE(everything);
  EXPECT_NE(everything.error().message.find("needs nodes on both sides"), std::string::npos);
  EXPECT_FALSE(partition_scenario("partition:", cluster));
}

// Whether the VIP must move is decided by the side that keeps etcd's quorum, and the budget
// follows: a split of workers only costs the API nothing; one of control-plane nodes costs
// HAProxy's detection alongside an election.
TEST(ScenarioTest, TheVipHoldersSideDecidesWhetherTheVipMoves) {
  const model::Cluster cluster = testing::load_plan(testing::addressed_plan());
  auto pair = partition_scenario("partition:micklethefickle+cloudserver3", cluster);
  ASSERT_TRUE(pair);
  EXPECT_FALSE(holder_keeps_quorum(*pair, cluster, "micklethefickle"));  // 1 of 3 members
  EXPECT_TRUE(holder_keeps_quorum(*pair, cluster, "cloudserver1"));      // 2 of 3 members
  EXPECT_TRUE(pair->side_has_control_plane);
  auto fast = budget_of(model::TuningProfile::kFast);
  EXPECT_NE(budget_reason(*pair, fast, false).find("HAProxy drops the cut-off apiservers"),
            std::string::npos);
  auto workers = partition_scenario("partition:cloudserver3+blackboar", cluster);
  ASSERT_TRUE(workers);
  EXPECT_TRUE(holder_keeps_quorum(*workers, cluster, "micklethefickle"));
  EXPECT_EQ(outage_budget(*workers, fast, false).count(), 1000);
  EXPECT_EQ(budget_reason(*workers, fast, false), "the API does not depend on the nodes cut off");
}

// Every node the fault does not hit must stay Ready; in a partition, the side that keeps etcd's
// quorum, whichever side the scenario names.
TEST(ScenarioTest, TheNodesThatMustStayReadyAreTheOnesTheFaultLeavesTheApi) {
  const model::Cluster cluster = testing::load_plan(testing::addressed_plan());
  using Names = std::vector<std::string>;
  EXPECT_EQ(
      nodes_that_must_stay_ready(*find_scenario("apiserver-killed"), cluster, {"cloudserver1"}),
      (Names{"micklethefickle", "cloudserver2", "cloudserver3", "blackboar"}));
  auto minority = partition_scenario("partition:micklethefickle+cloudserver3", cluster);
  ASSERT_TRUE(minority);
  EXPECT_EQ(nodes_that_must_stay_ready(*minority, cluster, minority->side),
            (Names{"cloudserver1", "cloudserver2", "blackboar"}));
  auto majority = partition_scenario("partition:micklethefickle+cloudserver1", cluster);
  ASSERT_TRUE(majority);
  EXPECT_EQ(nodes_that_must_stay_ready(*majority, cluster, majority->side),
            (Names{"micklethefickle", "cloudserver1"}));
}

}  // namespace
}  // namespace zerospof::drill
