#include "history/wgl_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "history/search_cache.h"

namespace zerospof::history {
namespace {

constexpr std::int32_t kEnd = -1;
constexpr std::int32_t kHead = 0;  // the list's sentinel node

// The search state. Nodes 1..2n are the events in time order, node 0 the head sentinel; lifting
// an operation unlinks its two nodes and unlifting relinks them (Knuth's dancing links), which
// is exact because lifts and unlifts nest like the stack of linearized operations.
}  // namespace

constexpr std::uint64_t kBudgetCheckInterval = 4096;  // steps between clock and memory checks

// Named (not in the anonymous namespace) because LinearizationSearch holds one.
class Search {
 public:
  Search(const std::vector<PartitionOperation>& operations, ValueTable& values,
         const SearchLimits& limits, CandidateOrder order)
      : operations_(operations), values_(values), limits_(limits) {
    defer_unknown_ =
        order == CandidateOrder::kKnownOutcomeFirst && defers_unknown_operations(operations);
    build_event_list();
    find_twins();
    number_for_the_set();
  }

  ~Search() {
    if (limits_.memory_in_use) limits_.memory_in_use->fetch_sub(memory_reported_);
  }
  Search(const Search&) = delete;
  Search& operator=(const Search&) = delete;

  // Runs at most `budget` more steps; the result once decided or stopped by a limit.
  std::optional<SearchResult> run_for(std::uint64_t budget);
  std::size_t memory_bytes() const { return cache_.memory_bytes() + values_.memory_bytes(); }
  // Looking ahead by the steps until the next check (search_cache.h).
  std::size_t memory_bytes_until_next_check() const {
    return cache_.memory_bytes_within(kBudgetCheckInterval) + values_.memory_bytes();
  }

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
  void find_twins();
  void number_for_the_set();
  // Whether linearizing `operation` now can be skipped because another choice covers it.
  bool dominated(std::uint32_t operation) const;
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
  // step: when a key has at most 64 operations of unknown outcome, those as bits of
  // unknown_linearized_ (see number_for_the_set); every other operation as (limit_, gaps_) over
  // their positions among themselves (set_position_), gaps_ ascending, gaps_hash_ the XOR of
  // their hashes. Unknown operations stay unlinearized for ever on most paths, so as positions
  // they would be gaps in every key.
  std::vector<std::uint32_t> set_position_;
  std::vector<std::uint64_t> unknown_bit_;  // 0 for an operation kept as a position
  std::uint64_t unknown_linearized_ = 0;
  std::vector<std::uint32_t> gaps_;
  std::uint64_t gaps_hash_ = 0;
  std::uint32_t limit_ = 0;  // 1 + the highest linearized position
  ValueId state_ = kAbsent;
  // The candidates (calls before the first completion in the list) are tried in two passes:
  // operations with a known outcome first, then those of unknown outcome, so that an unknown
  // operation is placed only where the known ones need it. Deferred unknown operations stay in
  // every memo key as gaps, so with many of them (long drills with many timeouts) the search
  // keeps the textbook list order, which places them early and keeps the keys short. Appends
  // are never deferred: every later read sees an append that happened, so one that took effect
  // belongs early and deferring it only sends the search down wrong branches first.
  enum class Pass : std::uint8_t { kDefinite, kUnknown } pass_ = Pass::kDefinite;
  // Neither order explores fewer configurations on every history (on Porcupine's Jepsen set
  // deferring halves the total, on generated register histories with many timeouts the list
  // order explores 10 to 50 times fewer), so the checker runs both side by side.
  bool defer_unknown_ = false;
  // Unknown operations identical to an earlier-invoked one (same function, values and unknown
  // outcome): whichever of the two is linearized, the state is the same, and the earlier one is
  // a candidate whenever the later one is, so only the earlier one is tried first (see
  // dominated). Without this, k identical timed-out writes make 2^k memoised sets instead of k+1.
  std::vector<std::uint32_t> twin_before_;
  std::vector<bool> linearized_;
  std::size_t known_left_ = 0;  // operations of known outcome not linearized yet
  // Where run_for stopped: the node it was at and the steps taken (for the budget checks).
  bool started_ = false;
  std::int32_t node_ = kEnd;
  std::uint64_t steps_ = 0;
  std::size_t memory_reported_ = 0;  // added to *limits_.memory_in_use so far
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

void Search::find_twins() {
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  twin_before_.assign(operations_.size(), kNone);
  linearized_.assign(operations_.size(), false);
  std::unordered_map<std::uint64_t, std::uint32_t> last_of_kind;
  for (std::uint32_t i = 0; i < operations_.size(); ++i) {
    const ModelOperation& model = operations_[i].model;
    if (model.outcome != Outcome::kUnknown) {
      ++known_left_;
      continue;
    }
    // Reads of unknown outcome never reach the search, so function and two values identify it.
    const std::uint64_t kind = (std::uint64_t{model.argument} << 34) ^
                               (std::uint64_t{model.expected} << 2) ^
                               static_cast<std::uint64_t>(model.function);
    const auto [slot, inserted] = last_of_kind.emplace(kind, i);
    const ModelOperation& earlier = operations_[slot->second].model;
    if (!inserted && earlier.function == model.function && earlier.argument == model.argument &&
        earlier.expected == model.expected)
      twin_before_[i] = slot->second;
    slot->second = i;
  }
}

// Bits for the unknown operations only when all of them fit: tracking some of a key's unknown
// operations as bits and the rest as positions sends the search towards linearizations that leave
// the untracked ones out, each a gap in every later key (measured: 12 times the memory on 100,000
// operations with 5,000 unknown).
// Runs after find_twins, which counted the operations of known outcome.
void Search::number_for_the_set() {
  constexpr std::size_t kUnknownBits = 64;
  set_position_.assign(operations_.size(), 0);
  unknown_bit_.assign(operations_.size(), 0);
  const std::size_t unknown = operations_.size() - known_left_;
  std::uint32_t positions = 0;
  std::size_t bits = 0;
  for (std::uint32_t i = 0; i < operations_.size(); ++i) {
    if (unknown <= kUnknownBits && operations_[i].model.outcome == Outcome::kUnknown)
      unknown_bit_[i] = std::uint64_t{1} << bits++;
    else
      set_position_[i] = positions++;
  }
}

// An unknown operation is dominated while its identical earlier twin is still waiting: the twin
// can play its part. (Dominance of unknown operations that would change nothing now also holds,
// but on a key with more than 64 of them, leaving them unlinearized keeps them as gaps in every
// memo key, which on long histories costs more memory than the states it saves.)
bool Search::dominated(std::uint32_t operation) const {
  const std::uint32_t twin = twin_before_[operation];
  return twin != std::numeric_limits<std::uint32_t>::max() && !linearized_[twin];
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

// Adds `operation` to the linearized set: its bit, or its position was a gap, or it raises the
// limit and every position between the old limit and it becomes a gap (none is linearized).
void Search::add_to_set(std::uint32_t operation) {
  if (unknown_bit_[operation] != 0) {
    unknown_linearized_ |= unknown_bit_[operation];
    return;
  }
  operation = set_position_[operation];
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
  if (unknown_bit_[operation] != 0) {
    unknown_linearized_ &= ~unknown_bit_[operation];
    return;
  }
  operation = set_position_[operation];
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
static bool preserves_state(const ModelOperation& operation) {
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
  if (dominated(operation)) return Attempt::kIllegal;
  const Step step = apply(values_, state_, model);
  if (!step.legal) return Attempt::kIllegal;
  const bool forced = preserves_state(model);
  const Frame frame{operation, state_, limit_, gaps_hash_, forced};
  add_to_set(operation);
  if (!cache_.insert(limit_, gaps_, gaps_hash_, step.next, unknown_linearized_)) {
    remove_from_set(operation, frame.limit_before, frame.gaps_hash_before);
    return forced ? Attempt::kDeadEnd : Attempt::kSeen;
  }
  lift(operation);
  stack_.push_back(frame);
  linearized_[operation] = true;
  known_left_ -= model.outcome == Outcome::kUnknown ? 0 : 1;
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
    linearized_[frame.operation] = false;
    known_left_ += operations_[frame.operation].model.outcome == Outcome::kUnknown ? 0 : 1;
    if (frame.forced) continue;
    node = next_[call_node_[frame.operation]];
    pass_ = is_deferred(frame.operation) ? Pass::kUnknown : Pass::kDefinite;
    return true;
  }
  return false;
}

bool Search::out_of_budget(SearchResult& result) {
  const std::size_t bytes = memory_bytes_until_next_check();
  std::size_t in_use = bytes;
  if (limits_.memory_in_use) {
    in_use = limits_.memory_in_use->fetch_add(bytes - memory_reported_) + bytes - memory_reported_;
    memory_reported_ = bytes;
  }
  if (in_use >= limits_.max_memory_bytes) {
    result.undecided_reason = fmt::format(
        "the search reached its memory limit of {} MiB ({} configurations memoised; "
        "--max-memory raises it)",
        limits_.max_memory_bytes >> 20, cache_.size());
    return true;
  }
  if (limits_.stop && limits_.stop->load(std::memory_order_relaxed)) {
    result.undecided_reason = "not decided: another key is not linearizable";
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

std::optional<SearchResult> Search::run_for(std::uint64_t budget) {
  if (!started_) {
    node_ = next_[kHead];
    started_ = true;
  }
  std::int32_t& node = node_;
  // Once only unknown operations are left, they take effect at the end or never: done.
  for (std::uint64_t step = 0; next_[kHead] != kEnd && known_left_ > 0; ++step) {
    if (step == budget) return std::nullopt;
    if (steps_++ % kBudgetCheckInterval == 0) {
      SearchResult limit;
      if (out_of_budget(limit)) {
        SearchResult result = finish(Verdict::kUndecided);
        result.undecided_reason = std::move(limit.undecided_reason);
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

bool defers_unknown_operations(const std::vector<PartitionOperation>& operations) {
  constexpr long kMostDeferredUnknown = 64;
  const long unknown = std::count_if(
      operations.begin(), operations.end(),
      [](const auto& operation) { return operation.model.outcome == Outcome::kUnknown; });
  return unknown > 0 && unknown <= kMostDeferredUnknown;
}

SearchResult search_linearization(const std::vector<PartitionOperation>& operations,
                                  ValueTable& values, const SearchLimits& limits,
                                  CandidateOrder order) {
  Search search(operations, values, limits, order);
  return *search.run_for(std::numeric_limits<std::uint64_t>::max());
}

LinearizationSearch::LinearizationSearch(const std::vector<PartitionOperation>& operations,
                                         ValueTable& values, const SearchLimits& limits,
                                         CandidateOrder order)
    : search_(std::make_unique<Search>(operations, values, limits, order)) {}

LinearizationSearch::~LinearizationSearch() = default;

std::optional<SearchResult> LinearizationSearch::run_for(std::uint64_t steps) {
  return search_->run_for(steps);
}

}  // namespace zerospof::history
