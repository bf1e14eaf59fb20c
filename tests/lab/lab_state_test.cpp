#include "lab/lab_state.h"

#include <gtest/gtest.h>

namespace zerospof::lab {
namespace {

LabState sample() {
  return {*model::Cidr::parse("198.18.0.0/24"),
          *model::IpAddress::parse("198.18.0.1"),
          *model::IpAddress::parse("198.18.0.2"),
          {{"alpha", 0, *model::IpAddress::parse("198.18.0.10")},
           {"beta", 1, *model::IpAddress::parse("198.18.0.11")}}};
}

TEST(LabStateTest, RoundTrips) {
  auto parsed = parse_state(to_text(sample()));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, sample());
}

TEST(LabStateTest, RefusesAddressesOutsideTheLabRange) {
  std::string text = to_text(sample());
  text.replace(text.find("198.18.0.11"), 11, "10.1.2.3");
  EXPECT_FALSE(parse_state(text).has_value());
}

TEST(LabStateTest, DamagedFileSaysWhatToDo) {
  auto parsed = parse_state("subnet nonsense\n");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().hint.find("lab down"), std::string::npos);
}

TEST(LabStateTest, FindHostNamesTheKnownHostsWhenMissing) {
  auto state = sample();
  EXPECT_TRUE(find_host(state, "beta").has_value());
  auto missing = find_host(state, "gamma");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().hint.find("alpha, beta"), std::string::npos);
}

TEST(LabStateTest, MissingStateFileMeansNoLabIsUp) {
  LabFiles files(LabPaths{"/nonexistent/zerospof-lab-state", "/nonexistent"});
  auto state = load_state(files);
  ASSERT_FALSE(state.has_value());
  EXPECT_NE(state.error().message.find("no lab is up"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::lab
