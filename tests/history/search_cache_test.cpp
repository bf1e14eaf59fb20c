#include "history/search_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace zerospof::history {
namespace {

std::uint64_t hash_of(const std::vector<std::uint32_t>& gaps) {
  std::uint64_t hash = 0;
  for (const auto gap : gaps) hash ^= SearchCache::gap_hash(gap);
  return hash;
}

TEST(SearchCache, RecordsEachConfigurationOnce) {
  // Given {0,1,3} (limit 4, gap 2) in state 7, inserting it again is refused, and the same set
  // in another state or a different set is new.
  SearchCache cache;
  const std::vector<std::uint32_t> gaps{2};
  EXPECT_TRUE(cache.insert(4, gaps, hash_of(gaps), 7));
  EXPECT_FALSE(cache.insert(4, gaps, hash_of(gaps), 7));
  EXPECT_TRUE(cache.insert(4, gaps, hash_of(gaps), 8));
  EXPECT_TRUE(cache.insert(4, {}, 0, 7));
  EXPECT_EQ(cache.size(), 3u);
}

TEST(SearchCache, GrowsWithoutLosingEntries) {
  SearchCache cache;
  for (std::uint32_t i = 0; i < 10'000; ++i) ASSERT_TRUE(cache.insert(i, {}, 0, i % 3));
  for (std::uint32_t i = 0; i < 10'000; ++i) ASSERT_FALSE(cache.insert(i, {}, 0, i % 3));
  EXPECT_EQ(cache.size(), 10'000u);
}

TEST(SearchCache, FewerUnknownOperationsCoverMore) {
  // Given {0,1,3} in state 7 recorded with unknown operations {a}: with {a,b} it is covered
  // (refused); with {b} it is not; with none it is new and takes the place of {a}, so {a} is
  // then refused too, and the table holds two entries, {} and {b}.
  SearchCache cache;
  const std::vector<std::uint32_t> gaps{2};
  constexpr std::uint64_t a = 1, b = 2;
  EXPECT_TRUE(cache.insert(4, gaps, hash_of(gaps), 7, a));
  EXPECT_FALSE(cache.insert(4, gaps, hash_of(gaps), 7, a | b));
  EXPECT_TRUE(cache.insert(4, gaps, hash_of(gaps), 7, b));
  EXPECT_TRUE(cache.insert(4, gaps, hash_of(gaps), 7, 0));
  EXPECT_FALSE(cache.insert(4, gaps, hash_of(gaps), 7, a));
  EXPECT_FALSE(cache.insert(4, gaps, hash_of(gaps), 7, b));
  EXPECT_EQ(cache.size(), 2u);
  // Another state or another set is not covered.
  EXPECT_TRUE(cache.insert(4, gaps, hash_of(gaps), 8, a | b));
  EXPECT_TRUE(cache.insert(4, {}, 0, 7, a | b));
}

}  // namespace
}  // namespace zerospof::history
