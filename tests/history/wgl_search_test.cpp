#include "history/wgl_search.h"

#include <gtest/gtest.h>

namespace zerospof::history {
namespace {

TEST(WglSearch, FindsTheOrderThatConcurrencyAllows) {
  // Given write 1 [0,10], write 2 [1,2] and read -> 1 [3,4], the only linearization puts
  // write 2 first, then write 1, then the read.
  ValueTable values;
  const ValueId one = values.intern("1"), two = values.intern("2");
  const std::vector<PartitionOperation> operations{
      {{Function::kWrite, Outcome::kOk, one}, 0, 10},
      {{Function::kWrite, Outcome::kOk, two}, 1, 2},
      {{Function::kRead, Outcome::kOk, kAbsent, kAbsent, one}, 3, 4},
  };
  const SearchResult result = search_linearization(operations, values, SearchLimits{});
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<std::uint32_t>{1, 0, 2}));
  EXPECT_EQ(result.value_after_order, one);
}

TEST(WglSearch, ReportsTheLongestPrefixWhenItFails) {
  // Given write 1 then (sequentially) read -> 2, the prefix is the write and the value 1.
  ValueTable values;
  const ValueId one = values.intern("1"), two = values.intern("2");
  const std::vector<PartitionOperation> operations{
      {{Function::kWrite, Outcome::kOk, one}, 0, 1},
      {{Function::kRead, Outcome::kOk, kAbsent, kAbsent, two}, 2, 3},
  };
  const SearchResult result = search_linearization(operations, values, SearchLimits{});
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.order, std::vector<std::uint32_t>{0});
  EXPECT_EQ(result.value_after_order, one);
}

TEST(WglSearch, PastDeadlineIsUndecided) {
  ValueTable values;
  const std::vector<PartitionOperation> operations{{{Function::kWrite, Outcome::kOk}, 0, 1}};
  SearchLimits limits;
  limits.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  const SearchResult result = search_linearization(operations, values, limits);
  EXPECT_EQ(result.verdict, Verdict::kUndecided);
  EXPECT_EQ(result.undecided_reason, "the time limit ran out before the search decided");
}

TEST(WglSearch, UnknownOperationMayNeverTakeEffect) {
  // Given an unknown write of 1 and a later read of nil, leaving the write out linearizes.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      {{Function::kWrite, Outcome::kUnknown, values.intern("1")}, 0, kNever},
      {{Function::kRead, Outcome::kOk, kAbsent, kAbsent, kAbsent}, 2, 3},
  };
  EXPECT_EQ(search_linearization(operations, values, SearchLimits{}).verdict,
            Verdict::kLinearizable);
}

}  // namespace
}  // namespace zerospof::history
