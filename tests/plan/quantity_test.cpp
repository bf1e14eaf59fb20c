#include "plan/quantity.h"

#include <gtest/gtest.h>

namespace zerospof::plan {
namespace {

TEST(QuantityTest, CpuInCoresAndMillicores) {
  EXPECT_EQ(parse_cpu_millicores("2"), 2000);
  EXPECT_EQ(parse_cpu_millicores("1.5"), 1500);
  EXPECT_EQ(parse_cpu_millicores("250m"), 250);
  EXPECT_EQ(parse_cpu_millicores(".5"), 500);
  EXPECT_EQ(parse_cpu_millicores("0.0001"), 1);  // rounded up: a request still needs a slot
}

TEST(QuantityTest, MemoryWithBinaryAndDecimalSuffixes) {
  EXPECT_EQ(parse_memory_bytes("512Mi"), 512LL << 20);
  EXPECT_EQ(parse_memory_bytes("8Gi"), 8LL << 30);
  EXPECT_EQ(parse_memory_bytes("1G"), 1000000000LL);
  EXPECT_EQ(parse_memory_bytes("1.5Ki"), 1536);
  EXPECT_EQ(parse_memory_bytes("4096"), 4096);
}

TEST(QuantityTest, GarbageIsRejected) {
  for (const char* text : {"", "m", "1.2.3", "-1", "12x", "Gi", "1e3", "99999999999999999999Gi"}) {
    EXPECT_FALSE(parse_cpu_millicores(text).has_value() && parse_memory_bytes(text).has_value())
        << text;
  }
  EXPECT_FALSE(parse_memory_bytes("12x"));
  EXPECT_FALSE(parse_cpu_millicores("1.2.3"));
}

}  // namespace
}  // namespace zerospof::plan
