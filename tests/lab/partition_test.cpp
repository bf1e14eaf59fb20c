#include "lab/partition.h"

#include <gtest/gtest.h>

namespace zerospof::lab {
namespace {

LabState three_hosts() {
  return {*model::Cidr::parse("198.18.0.0/24"),
          *model::IpAddress::parse("198.18.0.1"),
          *model::IpAddress::parse("198.18.0.2"),
          {{"a", 0, *model::IpAddress::parse("198.18.0.10")},
           {"b", 1, *model::IpAddress::parse("198.18.0.11")},
           {"c", 2, *model::IpAddress::parse("198.18.0.12")}}};
}

TEST(ParsePartitionTest, GroupsOfKnownHosts) {
  auto groups = parse_partition("a,b/c", three_hosts());
  ASSERT_TRUE(groups.has_value());
  EXPECT_EQ(*groups, (Groups{{"a", "b"}, {"c"}}));
}

TEST(ParsePartitionTest, RefusesBadSpecs) {
  for (const char* spec : {"a,b", "a/zz", "a,a/b", "a/b/a", "a//b", "a,/b", "", "/"}) {
    auto groups = parse_partition(spec, three_hosts());
    ASSERT_FALSE(groups.has_value()) << spec;
    EXPECT_EQ(groups.error().code, util::ErrorCode::kInvalidInput);
  }
}

TEST(PartitionRulesTest, DropsOnlyTheOtherGroupBothWays) {
  auto state = three_hosts();
  auto groups = *parse_partition("a,b/c", state);
  std::string rules = partition_rules(state, groups, "a");
  EXPECT_NE(rules.find("ip saddr { 198.18.0.12 } drop"), std::string::npos) << rules;
  EXPECT_NE(rules.find("ip daddr { 198.18.0.12 } drop"), std::string::npos) << rules;
  EXPECT_EQ(rules.find("198.18.0.11"), std::string::npos) << rules;
  EXPECT_NE(partition_rules(state, groups, "c").find("{ 198.18.0.10, 198.18.0.11 }"),
            std::string::npos);
}

TEST(PartitionRulesTest, HostsInNoGroupAreUntouched) {
  auto state = three_hosts();
  auto groups = *parse_partition("a/b", state);
  EXPECT_EQ(partition_rules(state, groups, "c"), "");
  EXPECT_EQ(partition_rules(state, groups, "a").find("198.18.0.12"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::lab
