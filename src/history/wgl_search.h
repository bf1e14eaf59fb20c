// Decides whether the operations of one partition (one key) are linearizable with respect to
// the register model: the Wing-Gong search (Wing & Gong 1993) with Lowe's memoisation of
// (linearized set, state) (Lowe 2017), the algorithm of Porcupine and Knossos.
//
// The search keeps the invocation and completion events in one list ordered by time and
// repeatedly tries to linearize an operation invoked before the first completion still in the
// list; reaching a completion means that operation can no longer be delayed, so it backtracks.
// Deviations from the textbook version:
// - an operation of unknown outcome completes at kNever (after every other event), so it may take
//   effect at any time after its invocation, or never;
// - a legal candidate that leaves the value unchanged (an ok read, a failed compare-and-set) is
//   linearized without trying the alternatives: it commutes with everything before it, so if no
//   linearization starts with it there is none (a partial-order reduction);
// - candidates of known outcome may be tried before those of unknown outcome (CandidateOrder;
//   the textbook tries them in list order; any order is complete);
// - the memo table stores sets compactly (see search_cache.h), so memory does not grow with the
//   history's length times the states explored, and refuses a configuration that one with fewer
//   operations of unknown outcome linearized covers (subsumption, not only equality);
// - the search records the longest linearizable prefix it reached, for the explanation;
// - it stops, undecided, at a deadline, a state limit or when asked to (another partition
//   already failed).
// Deterministic: the same operations give the same result, prefix included.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "history/register_model.h"

namespace zerospof::history {

enum class Verdict : std::uint8_t { kLinearizable, kNotLinearizable, kUndecided };

struct PartitionOperation {
  ModelOperation model;
  std::int64_t invoke_time = 0;
  std::int64_t complete_time = kNever;  // kNever for an operation of unknown outcome
};

struct SearchLimits {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::size_t max_memory_bytes = std::size_t{2} << 30;  // memo table and values, then give up
  // Stop, undecided, once *stop is true (another partition has failed).
  const std::atomic<bool>* stop = nullptr;
  // Shared by the searches of one check, so that max_memory_bytes bounds them all together;
  // null: each search alone.
  std::atomic<std::size_t>* memory_in_use = nullptr;
};

struct SearchResult {
  Verdict verdict = Verdict::kUndecided;
  // Linearizable: a linearization of every operation. Otherwise the longest linearizable prefix
  // the search reached (the first one found of that length). Indices into the operations.
  std::vector<std::uint32_t> order;
  ValueId value_after_order = kAbsent;
  std::size_t states = 0;       // configurations memoised
  std::size_t cache_bytes = 0;  // memory held by the memo table
  std::string undecided_reason;
};

// Which candidate the search tries first. Both are complete; they differ in how many
// configurations they visit before deciding, and neither is better on every history.
enum class CandidateOrder : std::uint8_t {
  // Operations of known outcome before those of unknown outcome (which then take effect only
  // where a known one needs them), unless the key has so many unknown operations that keeping
  // them as gaps in every memo key costs more (defers_unknown_operations).
  kKnownOutcomeFirst,
  // The textbook's (and Porcupine's) list order: by invocation.
  kInvocationOrder,
};

// Whether kKnownOutcomeFirst really defers anything for these operations: false when there are
// none of unknown outcome, or too many; then both orders are the same search.
bool defers_unknown_operations(const std::vector<PartitionOperation>& operations);

// `operations` must be ordered by invoke_time, with invoke_time <= complete_time.
SearchResult search_linearization(const std::vector<PartitionOperation>& operations,
                                  ValueTable& values, const SearchLimits& limits,
                                  CandidateOrder order = CandidateOrder::kKnownOutcomeFirst);

class Search;

// The same search run in slices, so that a checker can interleave its keys and stop every one
// of them as soon as one fails, instead of finishing a hard key first. The operations, values
// and limits must outlive it.
class LinearizationSearch {
 public:
  LinearizationSearch(const std::vector<PartitionOperation>& operations, ValueTable& values,
                      const SearchLimits& limits,
                      CandidateOrder order = CandidateOrder::kKnownOutcomeFirst);
  ~LinearizationSearch();
  LinearizationSearch(LinearizationSearch&&) = default;
  LinearizationSearch& operator=(LinearizationSearch&&) = default;
  // Runs at most `steps` more steps: the result once decided or stopped by a limit.
  std::optional<SearchResult> run_for(std::uint64_t steps);

 private:
  std::unique_ptr<Search> search_;
};

}  // namespace zerospof::history
