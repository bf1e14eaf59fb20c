// Groups item indices by a bucket number in linear time (a counting sort), for the checker's
// per-key tables: the readers of each version, the appends of each value, the operations of
// each key. Node-based maps of vectors made an allocation per bucket and per growth, most of
// the time of checking a history of many small keys.
//
// Guarantees: bucket b's items are members[start[b], start[b + 1]), in ascending index order;
// items whose bucket is kNoBucket are left out; the two vectors are reused (no allocation once
// they are large enough).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace zerospof::history {

inline constexpr std::uint32_t kNoBucket = std::numeric_limits<std::uint32_t>::max();

// `bucket_of[i]`: item i's bucket, below `buckets`, or kNoBucket.
inline void order_by_bucket(std::span<const std::uint32_t> bucket_of, std::size_t buckets,
                            std::vector<std::uint32_t>& start,
                            std::vector<std::uint32_t>& members) {
  start.assign(buckets + 1, 0);
  for (const std::uint32_t bucket : bucket_of)
    if (bucket != kNoBucket) ++start[bucket + 1];
  for (std::size_t bucket = 1; bucket < start.size(); ++bucket) start[bucket] += start[bucket - 1];
  members.resize(start.back());
  // Each bucket's start serves as its cursor, which leaves it at the next bucket's start;
  // shifting by one restores the starts (no cursor array).
  for (std::uint32_t i = 0; i < bucket_of.size(); ++i)
    if (bucket_of[i] != kNoBucket) members[start[bucket_of[i]]++] = i;
  for (std::size_t bucket = start.size() - 1; bucket > 0; --bucket)
    start[bucket] = start[bucket - 1];
  start[0] = 0;
}

}  // namespace zerospof::history
