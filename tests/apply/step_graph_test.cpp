// StepGraph: dependency order, and clear errors for duplicates, unknown deps and cycles.
#include "apply/step_graph.h"

#include <gtest/gtest.h>

namespace zerospof::apply {
namespace {

Step step(std::string id, std::vector<std::string> deps = {}) {
  return Step{.id = std::move(id), .deps = std::move(deps)};
}

std::vector<std::string> ids_in_order(const StepGraph& graph) {
  std::vector<std::string> ids;
  auto order = graph.order().value();
  for (std::size_t index : order) ids.push_back(graph.steps()[index].id);
  return ids;
}

TEST(StepGraphTest, OrdersDependenciesFirstAndKeepsInsertionOrderOtherwise) {
  StepGraph graph;
  ASSERT_TRUE(graph.add(step("start", {"config", "binary"})));
  ASSERT_TRUE(graph.add(step("config")));
  ASSERT_TRUE(graph.add(step("binary")));
  ASSERT_TRUE(graph.add(step("other")));
  EXPECT_EQ(ids_in_order(graph), (std::vector<std::string>{"config", "binary", "start", "other"}));
}

TEST(StepGraphTest, RefusesTwoStepsWithOneId) {
  StepGraph graph;
  ASSERT_TRUE(graph.add(step("a")));
  auto again = graph.add(step("a"));
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().message.find("two steps are named a"), std::string::npos);
}

TEST(StepGraphTest, NamesAnUnknownDependency) {
  StepGraph graph;
  ASSERT_TRUE(graph.add(step("a", {"ghost"})));
  auto order = graph.order();
  ASSERT_FALSE(order.has_value());
  EXPECT_NE(order.error().message.find("a depends on ghost"), std::string::npos);
}

TEST(StepGraphTest, NamesTheStepsOnACycle) {
  StepGraph graph;
  ASSERT_TRUE(graph.add(step("root")));
  ASSERT_TRUE(graph.add(step("a", {"root", "c"})));
  ASSERT_TRUE(graph.add(step("b", {"a"})));
  ASSERT_TRUE(graph.add(step("c", {"b"})));
  auto order = graph.order();
  ASSERT_FALSE(order.has_value());
  EXPECT_NE(order.error().message.find("a -> c -> b -> a"), std::string::npos)
      << order.error().message;
}

}  // namespace
}  // namespace zerospof::apply
