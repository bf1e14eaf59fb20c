#include "drill/wgl_search.h"

#include <algorithm>
#include <numeric>

#include "drill/search_cache.h"

namespace zerospof::drill {
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
    build_event_list();
  }

  SearchResult run();

 private:
  struct Frame {
    std::uint32_t operation;
    ValueId state_before;
    std::uint32_t limit_before;
  };

  void build_event_list();
  bool is_call(std::int32_t node) const { return node_is_call_[node]; }
  void lift(std::uint32_t operation);
  void unlift(std::uint32_t operation);
  void unlink(std::int32_t node);
  void relink(std::int32_t node);
  bool try_linearize(std::uint32_t operation);
  void backtrack_to_next(std::int32_t& node);
  void collect_gaps();
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
  std::vector<std::uint32_t> gaps_;  // scratch for the memo key
  ValueId state_ = kAbsent;
  std::uint32_t limit_ = 0;  // 1 + the highest linearized operation index
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

// The operations below limit_ not linearized yet: still in the list, before limit_'s call.
void Search::collect_gaps() {
  gaps_.clear();
  for (std::int32_t node = next_[kHead]; node != kEnd; node = next_[node]) {
    if (!is_call(node)) continue;
    const auto operation = static_cast<std::uint32_t>(node_operation_[node]);
    if (operation >= limit_) break;
    gaps_.push_back(operation);
  }
}

// Linearizes `operation` next if the model allows it and the resulting configuration is new.
bool Search::try_linearize(std::uint32_t operation) {
  const Step step = apply(values_, state_, operations_[operation].model);
  if (!step.legal) return false;
  lift(operation);
  const std::uint32_t limit_before = limit_;
  limit_ = std::max(limit_, operation + 1);
  collect_gaps();
  if (!cache_.insert(limit_, gaps_, step.next)) {
    unlift(operation);
    limit_ = limit_before;
    return false;
  }
  stack_.push_back(Frame{operation, state_, limit_before});
  state_ = step.next;
  record_progress();
  return true;
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

// Undoes the last linearization and moves on to the operation after it in the list.
void Search::backtrack_to_next(std::int32_t& node) {
  const Frame frame = stack_.back();
  stack_.pop_back();
  best_agrees_ = std::min(best_agrees_, stack_.size());
  state_ = frame.state_before;
  limit_ = frame.limit_before;
  unlift(frame.operation);
  node = next_[call_node_[frame.operation]];
}

bool Search::out_of_budget(SearchResult& result) {
  if (cache_.size() >= limits_.max_states) {
    result.undecided_reason = "the search reached its limit of memoised states";
    return true;
  }
  if (limits_.stop_below && limits_.stop_below->load(std::memory_order_relaxed) < limits_.stop_index) {
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
      node = try_linearize(operation) ? next_[kHead] : next_[node];
    } else if (stack_.empty()) {
      return finish(Verdict::kNotLinearizable);
    } else {
      backtrack_to_next(node);
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

}  // namespace zerospof::drill
