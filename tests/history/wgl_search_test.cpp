#include "history/wgl_search.h"

#include <gtest/gtest.h>

#include <algorithm>

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

namespace zerospof::history {
namespace {

TEST(WglSearch, IdenticalUnknownOperationsAreNotTriedInEveryCombination) {
  // Given 20 timed-out writes of "1" and 20 of "2", all in flight, 40 reads seeing 1, 2, 1,
  // 2... one after another (each needs one more write), then a read of "3", which nothing
  // wrote: refuting it exhausts every order. Trying identical writes in invocation order only,
  // the search memoises counts of each value's writes (about 21 x 21 sets per read) instead of
  // subsets (2^40), which would not fit the 64 MiB limit.
  ValueTable values;
  const ValueId one = values.intern("1"), two = values.intern("2");
  std::vector<PartitionOperation> operations;
  for (int i = 0; i < 40; ++i)
    operations.push_back({{Function::kWrite, Outcome::kUnknown, i % 2 ? two : one}, 0, kNever});
  for (int i = 0; i < 40; ++i)
    operations.push_back({{Function::kRead, Outcome::kOk, kAbsent, kAbsent, i % 2 ? two : one},
                          2 * i + 1,
                          2 * i + 2});
  SearchLimits limits;
  limits.max_memory_bytes = std::size_t{64} << 20;
  const SearchResult linearizable = search_linearization(operations, values, limits);
  ASSERT_EQ(linearizable.verdict, Verdict::kLinearizable);
  // The linearization uses the writes of each value in invocation order.
  std::vector<std::uint32_t> writes_of_one;
  for (const std::uint32_t operation : linearizable.order)
    if (operation < 40 && operation % 2 == 0) writes_of_one.push_back(operation);
  EXPECT_TRUE(std::is_sorted(writes_of_one.begin(), writes_of_one.end()));
  operations.push_back(
      {{Function::kRead, Outcome::kOk, kAbsent, kAbsent, values.intern("3")}, 81, 82});
  const SearchResult refuted = search_linearization(operations, values, limits);
  EXPECT_EQ(refuted.verdict, Verdict::kNotLinearizable) << refuted.undecided_reason;
  EXPECT_LT(refuted.states, 100'000u);
}

TEST(WglSearch, AConfigurationWithFewerUnknownOperationsCoversOneWithMore) {
  // Given 10 timed-out writes of distinct values, all in flight, then 20 sequential pairs of
  // write "x" and read "x", then a read of a value nobody wrote: refuting it exhausts every
  // order. Which of the timed-out writes took effect before a write "x" makes no difference
  // afterwards, and a configuration that linearized fewer of them can do all that one with more
  // can, so the memo table refuses the larger ones. Searched with known outcomes first (which
  // reaches the smaller ones first), it memoises 5,794 configurations (148,480 when only equal
  // configurations were refused).
  ValueTable values;
  const ValueId x = values.intern("x");
  std::vector<PartitionOperation> operations;
  for (int i = 0; i < 10; ++i)
    operations.push_back(
        {{Function::kWrite, Outcome::kUnknown, values.intern(std::to_string(i))}, 0, kNever});
  for (int i = 0; i < 20; ++i) {
    operations.push_back({{Function::kWrite, Outcome::kOk, x}, 4 * i + 1, 4 * i + 2});
    operations.push_back(
        {{Function::kRead, Outcome::kOk, kAbsent, kAbsent, x}, 4 * i + 3, 4 * i + 4});
  }
  operations.push_back(
      {{Function::kRead, Outcome::kOk, kAbsent, kAbsent, values.intern("never")}, 200, 201});
  const SearchResult refuted =
      search_linearization(operations, values, SearchLimits{}, CandidateOrder::kKnownOutcomeFirst);
  EXPECT_EQ(refuted.verdict, Verdict::kNotLinearizable) << refuted.undecided_reason;
  EXPECT_LT(refuted.states, 20'000u);
}

}  // namespace
}  // namespace zerospof::history
