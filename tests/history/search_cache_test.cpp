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

}  // namespace
}  // namespace zerospof::history
