// pdb-blocks-drain (src/analysis/disruption_budget_rule.cpp).
#include "analysis/analysed.h"

namespace zerospof::analysis {
namespace {

using testing::analysed;
using testing::findings_of;
using testing::inline_manifests;

std::string budgeted_web(const std::string& bound) {
  return R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  )" + bound +
         R"(
  selector: {matchLabels: {app: web}}
)";
}

TEST(DisruptionBudgetRuleTest, MinAvailableEqualToReplicasBlocksEveryDrain) {
  Report report = analysed(inline_manifests(budgeted_web("minAvailable: 3")));
  auto found = findings_of(report, "pdb-blocks-drain");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "poddisruptionbudget/shop/web");
  EXPECT_EQ(found[0].where.to_string(), "manifests.yaml:12:1");
  EXPECT_NE(found[0].reason.find("minAvailable: 3 allows 0 of the 3 pod(s)"), std::string::npos);
  EXPECT_NE(format_json(report).find("\"rule\": \"pdb-blocks-drain\""), std::string::npos);
}

TEST(DisruptionBudgetRuleTest, MaxUnavailableZeroBlocksEveryDrain) {
  Report report = analysed(inline_manifests(budgeted_web("maxUnavailable: 0")));
  EXPECT_EQ(findings_of(report, "pdb-blocks-drain").size(), 1u);
}

TEST(DisruptionBudgetRuleTest, BudgetThatAllowsOneEvictionIsQuiet) {
  EXPECT_TRUE(
      findings_of(analysed(inline_manifests(budgeted_web("maxUnavailable: 1"))), "pdb-blocks-drain")
          .empty());
  // Upstream Calico's budget for calico-kube-controllers is maxUnavailable: 1.
  EXPECT_TRUE(findings_of(analysed(testing::upstream("calico.yaml")), "pdb-blocks-drain").empty());
  // And what zerospof deploys has budgets that let drains through.
  EXPECT_TRUE(analysed(model::Manifests{}).findings.empty());
}

}  // namespace
}  // namespace zerospof::analysis
