#include "history/history_generator.h"

#include <gtest/gtest.h>

namespace zerospof::history {
namespace {

TEST(HistoryGenerator, SameSeedSameHistory) {
  GeneratorOptions options;
  options.seed = 42;
  options.unknown_per_mille = 200;
  const History a = generate_history(options), b = generate_history(options);
  ASSERT_EQ(a.operations.size(), 100u);
  for (std::size_t i = 0; i < a.operations.size(); ++i)
    EXPECT_EQ(describe(a.operations[i]), describe(b.operations[i]));
}

TEST(HistoryGenerator, ProducesUnknownOutcomesAndConcurrency) {
  GeneratorOptions options;
  options.operations = 1000;
  options.unknown_per_mille = 100;
  const History history = generate_history(options);
  std::size_t unknown = 0, overlapping = 0;
  for (std::size_t i = 0; i < history.operations.size(); ++i) {
    unknown += history.operations[i].outcome == Outcome::kUnknown;
    if (i > 0 && history.operations[i].invoke_time < history.operations[i - 1].complete_time)
      ++overlapping;
  }
  EXPECT_GT(unknown, 10u);
  EXPECT_GT(overlapping, 100u);
}

}  // namespace
}  // namespace zerospof::history
