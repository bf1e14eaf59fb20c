#include "history/register_model.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace zerospof::history {
namespace {

TEST(ValueTable, AbsentAndEmptyStringAreTheSameValue) {
  ValueTable values;
  EXPECT_EQ(values.intern(""), kAbsent);
  EXPECT_EQ(values.intern_value(std::nullopt), kAbsent);
  EXPECT_NE(values.intern("a"), kAbsent);
  EXPECT_EQ(values.intern("a"), values.intern("a"));
}

TEST(ValueTable, AppendConcatenatesAndInterns) {
  ValueTable values;
  const ValueId ab = values.append(values.intern("a"), values.intern("b"));
  EXPECT_EQ(values.text(ab), "ab");
  EXPECT_EQ(ab, values.intern("ab"));
}

TEST(ValueTable, IdsAndAppendsSurviveTheTablesGrowingManyTimes) {
  // The tables start with 64 slots: 5,000 values and appends make them grow several times.
  ValueTable values;
  std::vector<ValueId> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back(values.intern("value " + std::to_string(i)));
  ValueId list = kAbsent;
  std::vector<ValueId> lists;
  for (int i = 0; i < 5000; ++i) lists.push_back(list = values.append(list, ids[i]));
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(values.intern("value " + std::to_string(i)), ids[i]);
    EXPECT_EQ(values.text(ids[i]), "value " + std::to_string(i));
    EXPECT_EQ(values.append(i == 0 ? kAbsent : lists[i - 1], ids[i]), lists[i]);  // memoised
  }
  EXPECT_EQ(values.size(), 1u + 5000 + 5000 - 1);  // "value 0" appended to nothing is itself
  EXPECT_EQ(values.text(lists[2]), "value 0value 1value 2");
}

TEST(ValueTable, ACopyKeepsItsTextsAfterTheOriginalIsGone) {
  // Copied and appended texts live in the table's own blocks: a copy must have its own, or its
  // views would dangle once the original is destroyed (AddressSanitizer reads them below).
  auto original = std::make_unique<ValueTable>();
  const ValueId a = original->intern(std::string(100, 'a'));
  const ValueId ab = original->append(a, original->intern("b"));
  ValueTable copy = *original;
  ValueTable assigned;
  assigned = *original;
  ValueTable moved = std::move(*original);
  original.reset();
  for (const ValueTable* table : {&copy, &assigned, &moved}) {
    EXPECT_EQ(table->text(a), std::string(100, 'a'));
    EXPECT_EQ(table->text(ab), std::string(100, 'a') + "b");
  }
  EXPECT_EQ(copy.append(a, copy.intern("b")), ab);  // the memo came along
}

TEST(ValueTable, ALastingTextIsNotCopied) {
  const std::string lasting = "a value of the history, which outlives the check";
  ValueTable values(4);
  const ValueId id = values.intern_lasting(lasting);
  EXPECT_EQ(values.text(id).data(), lasting.data());
  EXPECT_EQ(values.intern(std::string(lasting)), id);
}

TEST(RegisterModel, CompareAndSetObservesTheComparison) {
  // Given the value 1, a cas 1->2 that reported failure is illegal and one that succeeded
  // moves to 2; with an unknown outcome it is legal and still moves to 2.
  ValueTable values;
  const ValueId one = values.intern("1"), two = values.intern("2");
  ModelOperation cas{Function::kCompareAndSet, Outcome::kFailed, two, one};
  EXPECT_FALSE(apply(values, one, cas).legal);
  EXPECT_EQ(why_illegal(values, one, cas),
            "it failed comparing with \"1\" but the value was \"1\"");
  cas.outcome = Outcome::kOk;
  EXPECT_EQ(apply(values, one, cas).next, two);
  cas.outcome = Outcome::kUnknown;
  EXPECT_TRUE(apply(values, one, cas).legal);
  EXPECT_TRUE(apply(values, two, cas).legal);
  EXPECT_EQ(apply(values, two, cas).next, two);
}

TEST(RegisterModel, ReadMustSeeTheValue) {
  ValueTable values;
  const ModelOperation read{Function::kRead, Outcome::kOk, kAbsent, kAbsent, values.intern("3")};
  EXPECT_FALSE(apply(values, kAbsent, read).legal);
  EXPECT_EQ(why_illegal(values, kAbsent, read), "it read \"3\" but the value was nil");
}

}  // namespace
}  // namespace zerospof::history
