#include "lab/addresses.h"

#include <gtest/gtest.h>

namespace zerospof::lab {
namespace {

model::Cidr cidr(const char* text) { return *model::Cidr::parse(text); }
model::IpAddress ip(const char* text) { return *model::IpAddress::parse(text); }

TEST(AllocateAddressesTest, DefaultSubnetGivesOperatorVipAndHosts) {
  auto addresses = allocate_addresses(default_subnet(), 5);
  ASSERT_TRUE(addresses.has_value());
  EXPECT_EQ(addresses->operator_address, ip("198.18.0.1"));
  EXPECT_EQ(addresses->vip, ip("198.18.0.2"));
  ASSERT_EQ(addresses->hosts.size(), 5u);
  EXPECT_EQ(addresses->hosts.front(), ip("198.18.0.10"));
  EXPECT_EQ(addresses->hosts.back(), ip("198.18.0.14"));
}

TEST(AllocateAddressesTest, RefusesSubnetsOutsideTheBenchmarkingRange) {
  for (const char* subnet : {"10.0.0.0/24", "192.168.1.0/24", "198.20.0.0/24", "198.17.255.0/24",
                             "198.16.0.0/14", "0.0.0.0/0"}) {
    auto addresses = allocate_addresses(cidr(subnet), 3);
    ASSERT_FALSE(addresses.has_value()) << subnet;
    EXPECT_EQ(addresses.error().code, util::ErrorCode::kInvalidInput);
    EXPECT_NE(addresses.error().message.find("198.18.0.0/15"), std::string::npos);
  }
}

TEST(AllocateAddressesTest, RefusesIpv6) {
  EXPECT_FALSE(allocate_addresses(cidr("2001:db8::/64"), 3).has_value());
}

TEST(AllocateAddressesTest, RefusesTheWholeRangeForItLeavesNothingForPods) {
  auto addresses = allocate_addresses(cidr("198.18.0.0/15"), 3);
  ASSERT_FALSE(addresses.has_value());
  EXPECT_NE(addresses.error().message.find("larger than a /16"), std::string::npos);
  EXPECT_TRUE(allocate_addresses(cidr("198.19.0.0/16"), 3).has_value());
}

// Pods and Services stay inside the benchmarking range, apart from the lab's hosts and each
// other, wherever the lab's subnet is.
TEST(ClusterSubnetsTest, TakeTheOtherHalfOfTheRange) {
  for (const char* subnet :
       {"198.18.0.0/24", "198.18.255.0/24", "198.19.7.0/24", "198.19.0.0/16", "198.18.0.0/16"}) {
    ClusterSubnets subnets = cluster_subnets(cidr(subnet));
    for (const model::Cidr& inside : {subnets.pods, subnets.services}) {
      EXPECT_TRUE(lab_range().contains(inside.network())) << subnet;
      EXPECT_TRUE(lab_range().contains(offset_address(inside.network(), (1u << 15) - 1))) << subnet;
      EXPECT_FALSE(inside.overlaps(cidr(subnet))) << subnet << " " << inside.to_string();
    }
    EXPECT_FALSE(subnets.pods.overlaps(subnets.services)) << subnet;
  }
  ClusterSubnets defaults = cluster_subnets(default_subnet());
  EXPECT_EQ(defaults.pods, cidr("198.19.0.0/17"));
  EXPECT_EQ(defaults.services, cidr("198.19.128.0/17"));
}

TEST(AllocateAddressesTest, AcceptsTheTopOfTheRange) {
  auto addresses = allocate_addresses(cidr("198.19.255.0/24"), 3);
  ASSERT_TRUE(addresses.has_value());
  EXPECT_EQ(addresses->hosts.back(), ip("198.19.255.12"));
}

TEST(AllocateAddressesTest, RefusesASubnetTooSmallForTheHosts) {
  // A /28 holds offsets 10..14 below its broadcast address 15: five hosts, not six.
  EXPECT_FALSE(allocate_addresses(cidr("198.18.0.0/28"), 6).has_value());
  EXPECT_TRUE(allocate_addresses(cidr("198.18.0.0/28"), 5).has_value());
}

TEST(RequireLabAddressTest, OnlyTheBenchmarkingRange) {
  EXPECT_TRUE(require_lab_address(ip("198.18.0.1")).has_value());
  EXPECT_TRUE(require_lab_address(ip("198.19.255.255")).has_value());
  EXPECT_FALSE(require_lab_address(ip("198.20.0.1")).has_value());
  EXPECT_FALSE(require_lab_address(ip("127.0.0.1")).has_value());
  EXPECT_FALSE(require_lab_address(ip("::1")).has_value());
}

}  // namespace
}  // namespace zerospof::lab
