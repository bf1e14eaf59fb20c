#include "model/address.h"

#include <gtest/gtest.h>

namespace zerospof::model {
namespace {

TEST(AddressTest, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(IpAddress::parse("198.18.0.1")->to_string(), "198.18.0.1");
  EXPECT_EQ(IpAddress::parse("fd00::1")->family, 6);
  EXPECT_FALSE(IpAddress::parse("198.18.0.1x"));
  EXPECT_FALSE(IpAddress::parse("256.1.1.1"));
  EXPECT_FALSE(IpAddress::parse(""));
}

TEST(CidrTest, ContainsAndOverlaps) {
  Cidr lab = *Cidr::parse("198.18.0.0/15");
  EXPECT_TRUE(lab.contains(*IpAddress::parse("198.19.255.255")));
  EXPECT_FALSE(lab.contains(*IpAddress::parse("198.20.0.0")));
  EXPECT_TRUE(lab.overlaps(*Cidr::parse("198.19.4.0/24")));
  EXPECT_FALSE(lab.overlaps(*Cidr::parse("10.0.0.0/8")));
  EXPECT_FALSE(lab.contains(*IpAddress::parse("::1")));
}

TEST(CidrTest, HostBitsOnlyWhenAllowed) {
  EXPECT_FALSE(Cidr::parse("198.18.7.11/24"));
  auto interface_address = Cidr::parse("198.18.7.11/24", true);
  ASSERT_TRUE(interface_address);
  EXPECT_EQ(interface_address->network().to_string(), "198.18.7.0");
  EXPECT_FALSE(Cidr::parse("198.18.7.0/33"));
  EXPECT_FALSE(Cidr::parse("198.18.7.0/"));
  EXPECT_FALSE(Cidr::parse("198.18.7.0/2x"));
}

}  // namespace
}  // namespace zerospof::model
