// check's prediction beside each drill scenario, on the built-in plan: each kind of fault finds
// check's scenario of the same failure, and a measurement that contradicts the prediction for
// the API is a finding (both ways), while one that agrees is not.
#include "drill/prediction.h"

#include <gtest/gtest.h>

#include "support/test_plans.h"

namespace zerospof::drill {
namespace {

const Scenario& named(const std::string& name) { return *find_scenario(name); }

bool predicts(const CheckPrediction& prediction, const std::string& service,
              const std::string& health) {
  for (const ServicePrediction& each : prediction.services)
    if (each.service == service) return each.health == health;
  return false;
}

class PredictionTest : public ::testing::Test {
 protected:
  model::Cluster cluster_ = testing::load_plan(testing::addressed_plan());
  Predictor predictor_{cluster_};
};

TEST_F(PredictionTest, AHostDownIsChecksNodeDownScenario) {
  auto one = predictor_.predict(named("storage-node-down"), {"cloudserver3"});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->scenario, "node cloudserver3 down");
  EXPECT_EQ(one->worst, "degraded");
  EXPECT_TRUE(predicts(*one, "storage", "degraded"));
  // Two hosts at once: check's two-failure scenario.
  auto two = predictor_.predict(named("two-workers-down"), {"blackboar", "cloudserver3"});
  ASSERT_TRUE(two);
  EXPECT_NE(two->scenario.find("cloudserver3"), std::string::npos) << two->scenario;
  EXPECT_NE(two->scenario.find("blackboar"), std::string::npos) << two->scenario;
}

TEST_F(PredictionTest, AComponentFaultIsChecksComponentStoppedScenario) {
  auto killed = predictor_.predict(named("apiserver-killed"), {"micklethefickle"});
  ASSERT_TRUE(killed);
  EXPECT_NE(killed->scenario.find("micklethefickle"), std::string::npos) << killed->scenario;
  EXPECT_TRUE(predicts(*killed, "kube-apiserver", "degraded"));
  auto leader = predictor_.predict(named("etcd-leader-killed"), {"cloudserver1"});
  ASSERT_TRUE(leader);
  EXPECT_TRUE(predicts(*leader, "etcd", "degraded"));
}

TEST_F(PredictionTest, APartitionIsFoundFromEitherSide) {
  auto minority = predictor_.predict(named("partition-2-3"), {"micklethefickle", "cloudserver3"});
  ASSERT_TRUE(minority);
  auto majority =
      predictor_.predict(named("partition-2-3"), {"cloudserver1", "cloudserver2", "blackboar"});
  ASSERT_TRUE(majority);
  EXPECT_EQ(minority->scenario, majority->scenario);
}

TEST_F(PredictionTest, ANodeThePlanDoesNotHaveHasNoPrediction) {
  EXPECT_FALSE(predictor_.predict(named("worker-down"), {"elsewhere"}));
}

ScenarioResult measured(double api_write_ms) {
  ScenarioResult result;
  result.predicted_outage_ms = 1000;
  result.probes = {ProbeRecord{.name = "api-write", .unavailable_ms = api_write_ms}};
  return result;
}

TEST(ContradictionTest, APredictionTheMeasurementContradictsIsAFindingBothWays) {
  CheckPrediction down{.scenario = "node cloudserver1, cloudserver2 down",
                       .worst = "down",
                       .services = {{"etcd", "down", "1 of 3 members left, quorum (2) lost"}}};
  auto finding = contradiction(down, measured(400));
  ASSERT_TRUE(finding);
  EXPECT_NE(finding->find("etcd down"), std::string::npos) << *finding;
  EXPECT_FALSE(contradiction(down, measured(30000)));

  CheckPrediction kept{.scenario = "node micklethefickle down",
                       .worst = "degraded",
                       .services = {{"api-endpoint", "degraded", "2 of 3 VIP holders left"}}};
  EXPECT_FALSE(contradiction(kept, measured(800)));
  auto outage = contradiction(kept, measured(4000));
  ASSERT_TRUE(outage);
  EXPECT_NE(outage->find("4.00 s"), std::string::npos) << *outage;
}

}  // namespace
}  // namespace zerospof::drill
