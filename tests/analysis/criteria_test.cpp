// analysis/criteria.cpp: cluster-plan.md's success criteria as check judges them, and the notes
// on what a plan leaves unknown.
#include "analysis/criteria.h"

#include "analysed.h"

namespace zerospof::analysis {
namespace {

using testing::analysed;
using testing::criterion;
using testing::first_failure;
using testing::summary;

TEST(CriteriaTest, TheBuiltinPlanSaysTheVipSegmentCannotBeChecked) {
  const Report report = analysed(model::Manifests{});
  bool said = false;
  for (const std::string& note : report.notes)
    said = said || (note.find("L2 segment") != std::string::npos &&
                    note.find("could not be checked") != std::string::npos);
  EXPECT_TRUE(said);
  // With every address given, it can, and says nothing.
  const Report addressed = analysed(zerospof::testing::PlanBuilder().addresses().build());
  EXPECT_FALSE(testing::noted(addressed, "could not be checked"));
}

TEST(CriteriaTest, UpstreamIngressNginxFailsTheServiceAndBudgetCriteria) {
  const Report report = analysed(testing::upstream("ingress-nginx-baremetal.yaml"));
  const std::string name = "deployment/ingress-nginx/ingress-nginx-controller";
  EXPECT_EQ(summary(report, name).worst, Health::kDown);
  EXPECT_NE(first_failure(report, name).find("0 of 1 replicas left"), std::string::npos);
  EXPECT_EQ(criterion(report, "Services continue").result, Criterion::Result::kFail);
  const Criterion& budgets = criterion(report, "Pod disruption budgets");
  EXPECT_EQ(budgets.result, Criterion::Result::kFail);
  EXPECT_NE(budgets.reason.find("ingress-nginx-controller"), std::string::npos);
  // The built-in plan alone passes both.
  const Report builtin = analysed(model::Manifests{});
  EXPECT_EQ(criterion(builtin, "Services continue").result, Criterion::Result::kPass);
  EXPECT_EQ(criterion(builtin, "Pod disruption budgets").result, Criterion::Result::kPass);
}

}  // namespace
}  // namespace zerospof::analysis
