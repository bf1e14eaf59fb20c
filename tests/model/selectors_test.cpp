// model/selectors.h: Kubernetes's label matching, which decides which pods a budget, a Service or
// a node affinity term is about.
#include "model/selectors.h"

#include <gtest/gtest.h>

namespace zerospof::model {
namespace {

using Operator = LabelRequirement::Operator;

TEST(Selectors, EachOperatorMatchesAsInKubernetes) {
  const Labels labels{{"zone", "a"}, {"tier", "web"}};
  EXPECT_TRUE(matches_all({{"zone", Operator::kIn, {"a", "b"}}}, labels));
  EXPECT_FALSE(matches_all({{"zone", Operator::kIn, {"b"}}}, labels));
  EXPECT_TRUE(matches_all({{"zone", Operator::kNotIn, {"b"}}}, labels));
  // NotIn holds for a label that is absent, as in Kubernetes.
  EXPECT_TRUE(matches_all({{"disk", Operator::kNotIn, {"ssd"}}}, labels));
  EXPECT_TRUE(matches_all({{"tier", Operator::kExists, {}}}, labels));
  EXPECT_FALSE(matches_all({{"tier", Operator::kDoesNotExist, {}}}, labels));
  EXPECT_TRUE(matches_all({}, labels));
  // All requirements must hold.
  EXPECT_FALSE(
      matches_all({{"zone", Operator::kIn, {"a"}}, {"tier", Operator::kIn, {"db"}}}, labels));
}

TEST(Selectors, ASelectorNeedsEveryLabelAndEveryExpression) {
  const LabelSelector selector{{{"app", "dns"}}, {{"zone", Operator::kExists, {}}}};
  EXPECT_TRUE(selector.matches({{"app", "dns"}, {"zone", "a"}, {"extra", "x"}}));
  EXPECT_FALSE(selector.matches({{"app", "dns"}}));
  EXPECT_FALSE(selector.matches({{"app", "web"}, {"zone", "a"}}));
  EXPECT_TRUE(LabelSelector{}.empty());
  EXPECT_TRUE(LabelSelector{}.matches({}));
}

}  // namespace
}  // namespace zerospof::model
