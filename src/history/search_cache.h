// Lowe's memoisation table for the linearizability search: the (linearized set, state) pairs
// already expanded, so that the search never explores the same configuration twice.
//
// Deviation from Porcupine's and Knossos's bitset of every operation: a set is stored as
// (limit, gaps), the operations with index below `limit` except the `gaps`, which are not
// linearized yet. In a Wing-Gong search an operation can only be linearized while every gap
// is still in flight, so a key holds a few indices, bounded by the concurrency (plus the
// operations of unknown outcome), instead of one bit per operation of the history. That is what
// keeps memory proportional to the states explored on a 100,000-operation history.
//
// Operations of unknown outcome are kept apart, as a bit mask beside the set: such an operation
// never has to be linearized, so a configuration with fewer of them linearized (and otherwise
// equal) can do everything one with more can. insert() therefore refuses a configuration when one
// with a subset of its unknown operations was recorded (subsumption, not only equality): without
// it, k timed-out writes multiply the configurations of a known set by up to 2^k.
// Not thread-safe: each partition's search owns its table.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace zerospof::history {

class SearchCache {
 public:
  SearchCache();

  // Records the configuration; false if it, or the same one with a subset of its unknown
  // operations (`unknown`, a bit per tracked operation of unknown outcome), was recorded already.
  // `gaps` must be ascending and `gaps_hash` the XOR of gap_hash() of its elements, which the
  // search maintains incrementally.
  bool insert(std::uint32_t limit, std::span<const std::uint32_t> gaps, std::uint64_t gaps_hash,
              std::uint32_t state, std::uint64_t unknown = 0);

  static std::uint64_t gap_hash(std::uint32_t gap);

  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const {
    return slots_.capacity() * sizeof(Slot) + gaps_.capacity() * sizeof(std::uint32_t);
  }
  // What memory_bytes() may reach after `more` insertions: a growth briefly holds the old table
  // and one twice its size, so a limit checked only now and then must look ahead.
  std::size_t memory_bytes_within(std::size_t more) const {
    const bool grows = (size_ + more) * 2 > slots_.size();
    return memory_bytes() + (grows ? 2 * slots_.size() * sizeof(Slot) : 0);
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;  // 0: empty
    std::uint32_t state = 0;
    std::uint32_t limit = 0;
    // Where its gaps are in gaps_ and how many, packed so that a slot stays 32 bytes.
    std::uint64_t gaps_begin : 40 = 0;
    std::uint64_t gaps_count : 24 = 0;
    std::uint64_t unknown = 0;  // the unknown operations linearized
  };
  static constexpr std::size_t kMostGaps = (std::size_t{1} << 24) - 1;

  bool matches(const Slot& slot, std::uint64_t hash, std::uint32_t limit,
               std::span<const std::uint32_t> gaps, std::uint32_t state) const;
  void grow();

  std::vector<Slot> slots_;  // open addressing, linear probing, power-of-two size
  std::vector<std::uint32_t> gaps_;
  std::size_t size_ = 0;
};

}  // namespace zerospof::history
