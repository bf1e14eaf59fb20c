#include "history/wgl_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "history/search_cache.h"

namespace zerospof::history {
namespace {

constexpr std::int32_t kEnd = -1;
constexpr std::int32_t kHead = 0;  // the list's sentinel node

// The search state. Nodes 1..2n are the events in time order, node 0 the head sentinel; lifting
// an operation unlinks its two nodes and unlifting relinks them (Knuth's dancing links), which
// is exact because lifts and unlifts nest like the stack of linearized operations.
class Search {
 public:
  Search(const std::vector<PartitionOperation>& operations, ValueTable& values,
         const SearchLimits& limits)
      : operations_(operations), values_(values), limits_(limits) {
    constexpr std::size_t kMostDeferredUnknown = 64;
    defer_unknown_ = std::count_if(operations.begin(), operations.end(), [](const auto& operation) {
                       return operation.model.outcome == Outcome::kUnknown;
                     }) <= static_cast<long>(kMostDeferredUnknown);
    build_event_list();
  }

  SearchResult run();

 private:
  struct Frame {
    std::uint32_t operation;
    ValueId state_before;
    std::uint32_t limit_before;
    std::uint64_t gaps_hash_before;
    // Linearized as a state-preserving operation that was legal: if nothing works after it,
    // nothing works from the configuration before it either (see try_linearize).
    bool forced;
  };

  enum class Attempt : std::uint8_t { kLinearized, kIllegal, kSeen, kDeadEnd };

  void build_event_list();
  bool is_call(std::int32_t node) const { return node_is_call_[node]; }
  // Whether `operation` waits for the second pass (see pass_).
  bool is_deferred(std::uint32_t operation) const {
    const ModelOperation& model = operations_[operation].model;
    return defer_unknown_ && model.outcome == Outcome::kUnknown &&
           model.function != Function::kAppend;
  }
  void lift(std::uint32_t operation);
  void unlift(std::uint32_t operation);
  void unlink(std::int32_t node);
  void relink(std::int32_t node);
  Attempt try_linearize(std::uint32_t operation);
  bool backtrack(std::int32_t& node);
  void add_to_set(std::uint32_t operation);
  void remove_from_set(std::uint32_t operation, std::uint32_t limit_before,
                       std::uint64_t gaps_hash_before);
  void record_progress();
  bool out_of_budget(SearchResult& result);
  SearchResult finish(Verdict verdict);

  const std::vector<PartitionOperation>& operations_;
  ValueTable& values_;
  const SearchLimits& limits_;
  std::vector<std::int32_t> next_, previous_, node_operation_;
  std::vector<bool> node_is_call_;
  std::vector<std::int32_t> call_node_, return_node_;
  SearchCache cache_;
  std::vector<Frame> stack_;
  // The linearized set as the memo table stores it (search_cache.h), kept up to date at each
  // step: gaps_ ascending, gaps_hash_ the XOR of their hashes.
  std::vector<std::uint32_t> gaps_;
  std::uint64_t gaps_hash_ = 0;
  std::uint32_t limit_ = 0;  // 1 + the highest linearized operation index
  ValueId state_ = kAbsent;
  // The candidates (calls before the first completion in the list) are tried in two passes:
  // operations with a known outcome first, then those of unknown outcome, so that an unknown
  // operation is placed only where the known ones need it. Deferred unknown operations stay in
  // every memo key as gaps, so with many of them (long drills with many timeouts) the search
  // keeps the textbook list order, which places them early and keeps the keys short. Appends
  // are never deferred: every later read sees an append that happened, so one that took effect
  // belongs early and deferring it only sends the search down wrong branches first.
  enum class Pass : std::uint8_t { kDefinite, kUnknown } pass_ = Pass::kDefinite;
  bool defer_unknown_ = false;
  std::vector<std::uint32_t> best_;  // the longest prefix so far
  ValueId best_state_ = kAbsent;
  std::size_t best_agrees_ = 0;  // how many first entries of best_ equal the stack's
};

void Search::build_event_list() {
  const std::size_t count = operations_.size();
  // Events ordered by time; at equal times invocations first, so that operations whose
  // intervals touch count as concurrent (the lenient reading: never a false alarm).
  std::vector<std::int64_t> order(2 * count);
  std::iota(order.begin(), order.end(), 0);
  auto time_of = [&](std::int64_t event) {
    const PartitionOperation& operation = operations_[static_cast<std::size_t>(event / 2)];
    return event % 2 == 0 ? operation.invoke_time : operation.complete_time;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    if (time_of(a) != time_of(b)) return time_of(a) < time_of(b);
    return a % 2 < b % 2;
  });
  next_.assign(2 * count + 1, kEnd);
  previous_.assign(2 * count + 1, kEnd);
  node_operation_.assign(2 * count + 1, kEnd);
  node_is_call_.assign(2 * count + 1, false);
  call_node_.resize(count);
  return_node_.resize(count);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const auto node = static_cast<std::int32_t>(i + 1);
    const auto operation = static_cast<std::int32_t>(order[i] / 2);
    node_operation_[node] = operation;
    node_is_call_[node] = order[i] % 2 == 0;
    (node_is_call_[node] ? call_node_ : return_node_)[operation] = node;
    previous_[node] = node - 1;
    next_[node - 1] = node;
  }
}

void Search::unlink(std::int32_t node) {
  next_[previous_[node]] = next_[node];
  if (next_[node] != kEnd) previous_[next_[node]] = previous_[node];
}

void Search::relink(std::int32_t node) {
  if (next_[node] != kEnd) previous_[next_[node]] = node;
  next_[previous_[node]] = node;
}

void Search::lift(std::uint32_t operation) {
  unlink(call_node_[operation]);
  unlink(return_node_[operation]);
}

void Search::unlift(std::uint32_t operation) {
  relink(return_node_[operation]);
  relink(call_node_[operation]);
}

// Adds `operation` to the linearized set: it was a gap, or it raises the limit and every
// operation between the old limit and it becomes a gap (none of those is linearized).
void Search::add_to_set(std::uint32_t operation) {
  if (operation < limit_) {
    gaps_.erase(std::lower_bound(gaps_.begin(), gaps_.end(), operation));
    gaps_hash_ ^= SearchCache::gap_hash(operation);
    return;
  }
  for (std::uint32_t gap = limit_; gap < operation; ++gap) {
    gaps_.push_back(gap);
    gaps_hash_ ^= SearchCache::gap_hash(gap);
  }
  limit_ = operation + 1;
}

void Search::remove_from_set(std::uint32_t operation, std::uint32_t limit_before,
                             std::uint64_t gaps_hash_before) {
  if (operation < limit_before) {
    gaps_.insert(std::lower_bound(gaps_.begin(), gaps_.end(), operation), operation);
  } else {
    gaps_.resize(gaps_.size() - (operation - limit_before));
  }
  limit_ = limit_before;
  gaps_hash_ = gaps_hash_before;
}

// True for operations that leave the value as it is in every state where they are legal: ok
// reads, failed compare-and-sets, and successful compare-and-sets of a value with itself.
bool preserves_state(const ModelOperation& operation) {
  switch (operation.function) {
    case Function::kRead:
      return operation.outcome == Outcome::kOk;
    case Function::kCompareAndSet:
      return operation.outcome == Outcome::kFailed ||
             (operation.outcome == Outcome::kOk && operation.expected == operation.argument);
    default:
      return false;
  }
}

// Linearizes `operation` next if the model allows it and the resulting configuration is new.
//
// A legal state-preserving candidate commutes with everything before it in any linearization
// from here: moving it to the front keeps every value the same and only relaxes which other
// operations are candidates. So if no linearization starts with it, none exists from this
// configuration (kDeadEnd), and its frame is `forced` so that undoing it undoes the parent too.
Search::Attempt Search::try_linearize(std::uint32_t operation) {
  const ModelOperation& model = operations_[operation].model;
  const Step step = apply(values_, state_, model);
  if (!step.legal) return Attempt::kIllegal;
  const bool forced = preserves_state(model);
  const Frame frame{operation, state_, limit_, gaps_hash_, forced};
  add_to_set(operation);
  if (!cache_.insert(limit_, gaps_, gaps_hash_, step.next)) {
    remove_from_set(operation, frame.limit_before, frame.gaps_hash_before);
    return forced ? Attempt::kDeadEnd : Attempt::kSeen;
  }
  lift(operation);
  stack_.push_back(frame);
  state_ = step.next;
  record_progress();
  return Attempt::kLinearized;
}

// Keeps best_ equal to the longest stack seen, copying only the entries that changed since.
void Search::record_progress() {
  const std::size_t top = stack_.size() - 1;
  if (best_agrees_ == top && top < best_.size() && best_[top] == stack_[top].operation)
    ++best_agrees_;
  if (stack_.size() <= best_.size()) return;
  best_.resize(best_agrees_);
  for (std::size_t i = best_agrees_; i < stack_.size(); ++i) best_.push_back(stack_[i].operation);
  best_agrees_ = stack_.size();
  best_state_ = state_;
}

// Undoes linearizations up to the last one that was a free choice and moves on to the candidate
// after it; false when there is none left: the history is not linearizable.
bool Search::backtrack(std::int32_t& node) {
  while (!stack_.empty()) {
    const Frame frame = stack_.back();
    stack_.pop_back();
    best_agrees_ = std::min(best_agrees_, stack_.size());
    state_ = frame.state_before;
    remove_from_set(frame.operation, frame.limit_before, frame.gaps_hash_before);
    unlift(frame.operation);
    if (frame.forced) continue;
    node = next_[call_node_[frame.operation]];
    pass_ = is_deferred(frame.operation) ? Pass::kUnknown : Pass::kDefinite;
    return true;
  }
  return false;
}

bool Search::out_of_budget(SearchResult& result) {
  if (cache_.memory_bytes() + values_.memory_bytes() >= limits_.max_memory_bytes) {
    result.undecided_reason = fmt::format(
        "the search reached its memory limit of {} MiB ({} configurations memoised; "
        "--max-memory raises it)",
        limits_.max_memory_bytes >> 20, cache_.size());
    return true;
  }
  if (limits_.stop_below &&
      limits_.stop_below->load(std::memory_order_relaxed) < limits_.stop_index) {
    result.undecided_reason = "stopped: an earlier key is not linearizable";
    return true;
  }
  if (std::chrono::steady_clock::now() >= limits_.deadline) {
    result.undecided_reason = "the time limit ran out before the search decided";
    return true;
  }
  return false;
}

SearchResult Search::finish(Verdict verdict) {
  SearchResult result;
  result.verdict = verdict;
  if (verdict == Verdict::kLinearizable) {
    for (const Frame& frame : stack_) result.order.push_back(frame.operation);
    result.value_after_order = state_;
  } else {
    result.order = best_;
    result.value_after_order = best_state_;
  }
  result.states = cache_.size();
  result.cache_bytes = cache_.memory_bytes();
  return result;
}

SearchResult Search::run() {
  constexpr std::uint64_t kBudgetCheckInterval = 4096;  // steps between clock reads
  std::uint64_t steps = 0;
  std::int32_t node = next_[kHead];
  while (next_[kHead] != kEnd) {
    if (steps++ % kBudgetCheckInterval == 0) {
      SearchResult budget;
      if (out_of_budget(budget)) {
        SearchResult result = finish(Verdict::kUndecided);
        result.undecided_reason = std::move(budget.undecided_reason);
        return result;
      }
    }
    if (is_call(node)) {
      const auto operation = static_cast<std::uint32_t>(node_operation_[node]);
      const bool wanted = is_deferred(operation) == (pass_ == Pass::kUnknown);
      const Attempt attempt = wanted ? try_linearize(operation) : Attempt::kIllegal;
      if (attempt == Attempt::kLinearized) {
        node = next_[kHead];
        pass_ = Pass::kDefinite;
      } else if (attempt != Attempt::kDeadEnd) {
        node = next_[node];
      } else if (!backtrack(node)) {
        return finish(Verdict::kNotLinearizable);
      }
    } else if (pass_ == Pass::kDefinite) {
      node = next_[kHead];
      pass_ = Pass::kUnknown;
    } else if (!backtrack(node)) {
      return finish(Verdict::kNotLinearizable);
    }
  }
  return finish(Verdict::kLinearizable);
}

}  // namespace

SearchResult search_linearization(const std::vector<PartitionOperation>& operations,
                                  ValueTable& values, const SearchLimits& limits) {
  Search search(operations, values, limits);
  return search.run();
}

}  // namespace zerospof::history
