#include "history/search_cache.h"

#include <algorithm>

namespace zerospof::history {
namespace {

// splitmix64's finaliser: a cheap mix with full avalanche.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_of(std::uint32_t limit, std::uint64_t gaps_hash, std::uint32_t state) {
  return (mix((std::uint64_t{limit} << 32) | state) ^ gaps_hash) | 1;  // 0 marks an empty slot
}

constexpr std::size_t kInitialSlots = 64;  // most keys of a drill are small; the table grows

}  // namespace

SearchCache::SearchCache() : slots_(kInitialSlots) {}

std::uint64_t SearchCache::gap_hash(std::uint32_t gap) { return mix(~std::uint64_t{gap}); }

bool SearchCache::matches(const Slot& slot, std::uint64_t hash, std::uint32_t limit,
                          std::span<const std::uint32_t> gaps, std::uint32_t state) const {
  if (slot.hash != hash || slot.state != state || slot.limit != limit ||
      slot.gaps_count != gaps.size())
    return false;
  return std::equal(gaps.begin(), gaps.end(),
                    gaps_.begin() + static_cast<std::ptrdiff_t>(slot.gaps_begin));
}

bool SearchCache::insert(std::uint32_t limit, std::span<const std::uint32_t> gaps,
                         std::uint64_t gaps_hash, std::uint32_t state, std::uint64_t unknown) {
  // Not memoising is always sound (the table only prunes); a set with this many gaps is far
  // beyond any memory limit anyway.
  if (gaps.size() > kMostGaps) return true;
  const std::uint64_t hash = hash_of(limit, gaps_hash, state);
  const std::size_t mask = slots_.size() - 1;
  std::size_t at = hash & mask;
  Slot* subsumed = nullptr;  // a recorded one with more unknown operations: this one replaces it
  for (; slots_[at].hash != 0; at = (at + 1) & mask) {
    Slot& slot = slots_[at];
    if (!matches(slot, hash, limit, gaps, state)) continue;
    if ((slot.unknown & ~unknown) == 0) return false;
    if (subsumed == nullptr && (unknown & ~slot.unknown) == 0) subsumed = &slot;
  }
  // Keeping only the smaller set keeps the chain of one known set short; the entry's gaps are the
  // same, so they stay where they are.
  if (subsumed != nullptr) {
    subsumed->unknown = unknown;
    return true;
  }
  slots_[at] = Slot{hash, state, limit, gaps_.size(), gaps.size(), unknown};
  gaps_.insert(gaps_.end(), gaps.begin(), gaps.end());
  if (++size_ * 2 > slots_.size()) grow();
  return true;
}

void SearchCache::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.hash == 0) continue;
    std::size_t at = slot.hash & mask;
    while (slots_[at].hash != 0) at = (at + 1) & mask;
    slots_[at] = slot;
  }
}

}  // namespace zerospof::history
