// The catalogue covers cluster-plan.md's scenarios, and each budget follows the tuning profile.
#include "drill/scenario.h"

#include <gtest/gtest.h>

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
  const Scenario& primary = *find_scenario("primary-down");
  EXPECT_LE(outage_budget(primary, fast, false).count(), 1100);
  // A killed keepalived costs at most the takeover: the target's HAProxy still serves the VIP
  // it cannot give up.
  const Scenario& keepalived = *find_scenario("keepalived-killed");
  EXPECT_EQ(outage_budget(keepalived, fast, false).count(), 1000);
  EXPECT_NE(budget_reason(keepalived, fast, false).find("takes the VIP over"), std::string::npos);
  const Scenario& leader = *find_scenario("etcd-leader-killed");
  EXPECT_EQ(outage_budget(leader, fast, false).count(), 1100);
  EXPECT_NE(budget_reason(leader, fast, false).find("etcd election"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::drill
