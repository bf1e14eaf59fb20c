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

// The prepared matcher must say what matches_all says, term by term, on every operator.
TEST(Selectors, PreparedTermsMatchAsTheRequirementsDo) {
  const std::vector<std::vector<LabelRequirement>> terms = {
      {{"zone", Operator::kIn, {"a", "b"}}, {"disk", Operator::kNotIn, {"hdd"}}},
      {{"gpu", Operator::kExists, {}}, {"spot", Operator::kDoesNotExist, {}}},
  };
  const TermsMatcher matcher(terms);
  const std::vector<Labels> label_sets = {
      {},
      {{"zone", "a"}},
      {{"zone", "c"}},
      {{"zone", "b"}, {"disk", "hdd"}},
      {{"zone", "b"}, {"disk", "ssd"}},
      {{"gpu", ""}},
      {{"gpu", ""}, {"spot", "true"}},
      {{"zone", "c"}, {"gpu", "x"}},
  };
  for (const Labels& labels : label_sets) {
    bool any = matches_all(terms[0], labels) || matches_all(terms[1], labels);
    EXPECT_EQ(matcher.matches(labels), any) << labels.size();
  }
  // No terms: no node affinity, every node.
  const std::vector<std::vector<LabelRequirement>> no_terms, one_empty_term(1);
  EXPECT_TRUE(TermsMatcher(no_terms).matches({}));
  // An empty term holds for every node, as an empty requirement list does.
  EXPECT_TRUE(TermsMatcher(one_empty_term).matches({{"zone", "a"}}));
}

}  // namespace
}  // namespace zerospof::model
