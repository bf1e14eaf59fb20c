#include "util/strings.h"

#include <gtest/gtest.h>

namespace zerospof::util {
namespace {

TEST(SplitTest, EverySeparatorEndsAPart) {
  EXPECT_EQ(split("a,b,c", ','), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("a,b,", ','), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(split(",", ','), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(split("", ','), std::vector<std::string>{});
  EXPECT_EQ(split("one", ','), std::vector<std::string>{"one"});
}

}  // namespace
}  // namespace zerospof::util
