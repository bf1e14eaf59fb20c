// model/workload.h: how budgets count evictions and how unmodelled kinds are tallied.
#include "model/workload.h"

#include <gtest/gtest.h>

namespace zerospof::model {
namespace {

TEST(Workload, ABudgetAllowsWhatKubernetesAllows) {
  EXPECT_EQ(DisruptionBudget{.min_available = 2}.allowed_disruptions(3), 1);
  EXPECT_EQ(DisruptionBudget{.min_available = 3}.allowed_disruptions(3), 0);
  EXPECT_EQ(DisruptionBudget{.max_unavailable = 0}.allowed_disruptions(3), 0);
  // Percentages round up: minAvailable 50% of 3 is 2, maxUnavailable 34% of 3 is 2.
  EXPECT_EQ(DisruptionBudget{.min_available_percent = 50}.allowed_disruptions(3), 1);
  EXPECT_EQ(DisruptionBudget{.max_unavailable_percent = 34}.allowed_disruptions(3), 2);
  // Never more than the replicas, never fewer than none.
  EXPECT_EQ(DisruptionBudget{.max_unavailable = 5}.allowed_disruptions(3), 3);
  EXPECT_EQ(DisruptionBudget{.min_available = 5}.allowed_disruptions(3), 0);
}

TEST(Workload, UnmodelledKindsAreCountedOncePerKindAndMarkedInertOrNot) {
  Manifests manifests;
  manifests.count_unmodelled("ConfigMap", "v1", {});
  manifests.count_unmodelled("Pod", "v1", {}, 2);
  manifests.count_unmodelled("ConfigMap", "v1", {});
  ASSERT_EQ(manifests.unmodelled.size(), 2u);
  EXPECT_EQ(manifests.unmodelled[0].count, 2);
  EXPECT_TRUE(manifests.unmodelled[0].inert);
  EXPECT_EQ(manifests.unmodelled[1].count, 2);
  EXPECT_FALSE(manifests.unmodelled[1].inert);
}

}  // namespace
}  // namespace zerospof::model
