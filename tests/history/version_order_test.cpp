#include "history/version_order.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "history/history_generator.h"

namespace zerospof::history {
namespace {

// One key's operations as the checker gives them to decide_by_version_order: values interned,
// reads of unknown outcome left out, unknown operations completing at kNever.
struct Key {
  ValueTable values;
  std::vector<PartitionOperation> operations;
};

Key key_of(const History& history) {
  Key key;
  for (const Operation& operation : history.operations) {
    const bool unknown = operation.outcome == Outcome::kUnknown;
    if (unknown && operation.function == Function::kRead) continue;
    ModelOperation model{
        operation.function, operation.outcome, key.values.intern_value(operation.argument),
        key.values.intern_value(operation.expected), key.values.intern_value(operation.observed)};
    key.operations.push_back(
        {model, operation.invoke_time, unknown ? kNever : operation.complete_time});
  }
  return key;
}

PartitionOperation op(ValueTable& values, Function function, Outcome outcome, std::string argument,
                      std::int64_t invoked, std::int64_t completed, std::string observed = "",
                      std::string expected = "") {
  return {{function, outcome, values.intern(argument), values.intern(expected),
           values.intern(observed)},
          invoked,
          outcome == Outcome::kUnknown ? kNever : completed};
}

PartitionOperation append(ValueTable& values, std::string argument, std::int64_t invoked,
                          std::int64_t completed, Outcome outcome = Outcome::kOk) {
  return op(values, Function::kAppend, outcome, std::move(argument), invoked, completed);
}

PartitionOperation read(ValueTable& values, std::string observed, std::int64_t invoked,
                        std::int64_t completed) {
  return op(values, Function::kRead, Outcome::kOk, "", invoked, completed, std::move(observed));
}

TEST(VersionOrder, ConcurrentAppendsAreOrderedByWhatTheReadsSaw) {
  // Given appends a and b concurrent, and reads "ba" then "b" overlapping them, the order is
  // b, read "b", a, read "ba".
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      append(values, "a", 0, 10), append(values, "b", 0, 10), read(values, "b", 1, 3),
      read(values, "ba", 4, 12)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable) << result.not_applicable_reason;
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<std::uint32_t>{1, 2, 0, 3}));
}

TEST(VersionOrder, AForkOfVersionsIsAViolation) {
  // Given reads "ab" and "ac": b and c would both come right after a.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      append(values, "a", 0, 1), append(values, "b", 2, 9), append(values, "c", 2, 9),
      read(values, "ab", 3, 10), read(values, "ac", 3, 10)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.conflicting, (std::vector<std::uint32_t>{3, 4}));
  EXPECT_EQ(result.witness, (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
}

TEST(VersionOrder, AReadThatCompletedBeforeAnEarlierVersionWasSeenIsAViolation) {
  // Given append a, then read "ab" [3,4], then read "a" invoked at 5: "a" must be read before
  // b, but "ab" was read before that read started.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      append(values, "a", 0, 1), append(values, "b", 2, 10), read(values, "ab", 3, 4),
      read(values, "a", 5, 6)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.conflicting, (std::vector<std::uint32_t>{2, 3}));
}

TEST(VersionOrder, AnUnseenAppendOfUnknownOutcomeNeverTookEffect) {
  // Given an unknown append nobody saw and a later read of the initial value, linearizable.
  ValueTable values;
  const std::vector<PartitionOperation> operations{append(values, "a", 0, 1, Outcome::kUnknown),
                                                   read(values, "", 5, 6)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable);
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<std::uint32_t>{1}));
}

TEST(VersionOrder, AnUnseenAcknowledgedAppendBeforeAReadOfTheInitialValueIsLost) {
  ValueTable values;
  const std::vector<PartitionOperation> operations{append(values, "a", 0, 1),
                                                   read(values, "", 5, 6)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
}

TEST(VersionOrder, CompareAndSetsThatExpectEachOthersValuesAreACycle) {
  // Given cas "y" -> "x" and cas "x" -> "y", both successful: neither can be first.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      op(values, Function::kCompareAndSet, Outcome::kOk, "x", 0, 5, "", "y"),
      op(values, Function::kCompareAndSet, Outcome::kOk, "y", 0, 5, "", "x")};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable);
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.conflicting, (std::vector<std::uint32_t>{0, 1}));
}

TEST(VersionOrder, AFailedCompareAndSetGoesWhereTheValueIsNotTheOneItExpected) {
  // Given write "a" [0,1], cas "a" -> "b" failed [0,10] and read "a" [2,3]: the compare-and-set
  // must go before the write (the value is still the initial one), nowhere else.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      op(values, Function::kWrite, Outcome::kOk, "a", 0, 1),
      op(values, Function::kCompareAndSet, Outcome::kFailed, "b", 0, 10, "", "a"),
      read(values, "a", 2, 3)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable) << result.not_applicable_reason;
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<std::uint32_t>{1, 0, 2}));
}

TEST(VersionOrder, AFailedCompareAndSetIsJudgedByTheValueNotByAVersionName) {
  // Given append "1" of unknown outcome that nobody saw and a failed cas expecting "1": the
  // append never took effect, the value stayed empty, so the comparison failed rightly.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      append(values, "1", 0, 1, Outcome::kUnknown),
      op(values, Function::kCompareAndSet, Outcome::kFailed, "2", 2, 3, "", "1")};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable) << result.not_applicable_reason;
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  // And an acknowledged append "1" before it makes the value "1": the failure is a violation
  // the versions cannot place, so the search decides.
  const std::vector<PartitionOperation> acknowledged{
      append(values, "1", 0, 1),
      op(values, Function::kCompareAndSet, Outcome::kFailed, "2", 2, 3, "", "1")};
  EXPECT_FALSE(decide_by_version_order(acknowledged, values).applicable);
}

TEST(VersionOrder, AnAppendRepeatedLaterIsNamedByTheVersionAShorterReadAlreadyNamed) {
  // "a" is appended twice, the second time long after the first. "a" alone can only be the
  // first (the second was invoked after that read completed); "ab" could hold either, but "a"
  // already names the first; and in "aba" the first is placed, so the last "a" is the second.
  // The long read is invoked first, so it is named only once the short one has been.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      append(values, "a", 0, 2), read(values, "ab", 1, 30),   read(values, "a", 3, 4),
      append(values, "b", 5, 6), append(values, "a", 20, 22), read(values, "aba", 23, 24)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable) << result.not_applicable_reason;
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<std::uint32_t>{0, 2, 3, 1, 4, 5}));
}

TEST(VersionOrder, AnAppendAlreadyPlacedCannotMakeASecondVersion) {
  // The first "a" is placed by the read of "a"; "aba" needs a second append of "a" that
  // happened after "b", and the only other one was invoked after that read completed.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      append(values, "a", 0, 2), read(values, "a", 3, 4), append(values, "b", 5, 6),
      read(values, "aba", 7, 8), append(values, "a", 20, 22)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable) << result.not_applicable_reason;
  EXPECT_EQ(result.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(result.conflicting, (std::vector<std::uint32_t>{3}));
  EXPECT_NE(result.reason.find("more appends of \"a\" than could have happened"), std::string::npos)
      << result.reason;
}

TEST(VersionOrder, AWayToMakeAValueThatRealTimeRulesOutIsNotAnAmbiguity) {
  // "a" is both written and appended, but the append was invoked after the read of "a"
  // completed: that "a" is the write, and "aa" the write then the append.
  ValueTable values;
  const std::vector<PartitionOperation> operations{
      op(values, Function::kWrite, Outcome::kOk, "a", 0, 1), read(values, "a", 2, 3),
      append(values, "a", 10, 11), read(values, "aa", 12, 13)};
  const VersionOrderResult result = decide_by_version_order(operations, values);
  ASSERT_TRUE(result.applicable) << result.not_applicable_reason;
  EXPECT_EQ(result.verdict, Verdict::kLinearizable);
  EXPECT_EQ(result.order, (std::vector<std::uint32_t>{0, 1, 2, 3}));
}

TEST(VersionOrder, ValuesThatNameNoSingleVersionLeaveItToTheSearch) {
  ValueTable values;
  // The same value written twice.
  EXPECT_FALSE(decide_by_version_order({op(values, Function::kWrite, Outcome::kOk, "1", 0, 1),
                                        op(values, Function::kWrite, Outcome::kOk, "1", 2, 3)},
                                       values)
                   .applicable);
  // Two concurrent appends of one value: which made the first "a" of "aa" is not forced.
  EXPECT_FALSE(decide_by_version_order({append(values, "a", 0, 10), append(values, "a", 0, 10),
                                        read(values, "aa", 11, 12)},
                                       values)
                   .applicable);
  // "ab" is the write of "ab" or the append of "b" after the append of "a".
  EXPECT_FALSE(decide_by_version_order(
                   {op(values, Function::kWrite, Outcome::kOk, "ab", 0, 1),
                    append(values, "a", 0, 1), append(values, "b", 0, 1), read(values, "ab", 2, 3)},
                   values)
                   .applicable);
}

// Histories of every shape the generator makes, with unique values and small enough for the
// search to decide quickly: where the versions decide, they must agree with the search.
GeneratorOptions unique_history(std::size_t most_operations, std::size_t most_processes) {
  GeneratorOptions options;
  options.seed = *rc::gen::arbitrary<std::uint64_t>();
  options.operations = *rc::gen::inRange<std::size_t>(1, most_operations);
  options.processes = *rc::gen::inRange<std::size_t>(1, most_processes);
  options.keys = 1;
  options.key_value = *rc::gen::arbitrary<bool>();
  options.unique_values = true;
  options.compare_and_set_per_mille = *rc::gen::element<std::uint32_t>(0, 100, 300);
  options.unknown_per_mille = *rc::gen::inRange<std::uint32_t>(0, 200);
  options.crash_per_mille = *rc::gen::element<std::uint32_t>(0, 20);
  options.stalls = *rc::gen::inRange<std::size_t>(0, 3);
  options.plant_violation = *rc::gen::arbitrary<bool>();
  options.repeated_append_per_mille = *rc::gen::element<std::uint32_t>(0, 0, 200);
  return options;
}

void agrees_with_the_search(const History& history) {
  Key key = key_of(history);
  const VersionOrderResult decided = decide_by_version_order(key.operations, key.values);
  RC_CLASSIFY(decided.applicable, "decided by versions");
  RC_CLASSIFY(decided.verdict == Verdict::kNotLinearizable, "not linearizable");
  if (!decided.applicable) return;
  SearchLimits limits;
  limits.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  ValueTable values = key.values;
  const SearchResult searched = search_linearization(key.operations, values, limits);
  RC_PRE(searched.verdict != Verdict::kUndecided);
  RC_ASSERT(decided.verdict == searched.verdict);
  if (decided.verdict != Verdict::kNotLinearizable) return;
  // The witness alone is not linearizable either.
  std::vector<PartitionOperation> witness;
  for (const std::uint32_t index : decided.witness) witness.push_back(key.operations[index]);
  values = key.values;
  RC_ASSERT(search_linearization(witness, values, limits).verdict == Verdict::kNotLinearizable);
}

RC_GTEST_PROP(VersionOrderProperty, AgreesWithTheSearch, ()) {
  agrees_with_the_search(generate_history(unique_history(60, 6)));
}

RC_GTEST_PROP(VersionOrderProperty, AgreesWithTheSearchWithManyClientsInFlight, ()) {
  // Stalls pile up to 12 clients on the key: the search still decides most within its limit.
  agrees_with_the_search(generate_history(unique_history(100, 12)));
}

}  // namespace
}  // namespace zerospof::history
