#include "history/linearizability.h"

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

#include "history/bucket_order.h"
#include "history/version_order.h"

namespace zerospof::history {
namespace {

// One key's operations: indices into the history, and the search's view of them.
struct Partition {
  std::string key;
  std::vector<std::size_t> history_index;
  std::vector<PartitionOperation> operations;
  std::size_t unknown_operations = 0;
  ValueTable values;
};

// The values are not copied: the history outlives the check (ValueTable::intern_lasting).
ModelOperation to_model(const Operation& operation, ValueTable& values) {
  ModelOperation model;
  model.function = operation.function;
  model.outcome = operation.outcome;
  model.argument = values.intern_lasting_value(operation.argument);
  model.expected = values.intern_lasting_value(operation.expected);
  model.observed = values.intern_lasting_value(operation.observed);
  return model;
}

// Splits by key, in key order (P-compositionality). Reads of unknown outcome are left out: they
// change nothing and observed nothing, so any place in the order suits them.
// The operations are numbered by key with one flat hash table and grouped by a counting sort
// (bucket_order.h) rather than a map of growing vectors, or a sort by key string, which on a
// history of many small keys cost more than deciding them.
std::vector<Partition> partition_by_key(const History& history) {
  const std::vector<Operation>& operations = history.operations;
  // Each operation's key as a number, in order of first appearance (first_of: its first
  // operation), through an open-addressing table of key numbers + 1.
  std::vector<std::uint32_t> key_of(operations.size());
  std::vector<std::uint32_t> first_of;
  std::vector<std::uint32_t> slots(std::bit_ceil(2 * operations.size() + 2), 0);
  const std::size_t mask = slots.size() - 1;
  for (std::uint32_t i = 0; i < operations.size(); ++i) {
    const std::string& key = operations[i].key;
    std::size_t slot = std::hash<std::string_view>{}(key)&mask;
    while (slots[slot] != 0 && operations[first_of[slots[slot] - 1]].key != key)
      slot = (slot + 1) & mask;
    if (slots[slot] == 0) {
      first_of.push_back(i);
      slots[slot] = static_cast<std::uint32_t>(first_of.size());
    }
    key_of[i] = slots[slot] - 1;
  }
  // Renumbered in key order, then grouped: each key's operations in history order.
  std::vector<std::uint32_t> rank(first_of.size());
  for (std::uint32_t k = 0; k < rank.size(); ++k) rank[k] = k;
  std::sort(rank.begin(), rank.end(), [&](std::uint32_t a, std::uint32_t b) {
    return operations[first_of[a]].key < operations[first_of[b]].key;
  });
  std::vector<std::uint32_t> position(first_of.size());
  for (std::uint32_t r = 0; r < rank.size(); ++r) position[rank[r]] = r;
  for (std::uint32_t& key : key_of) key = position[key];
  std::vector<std::uint32_t> start, by_key;
  order_by_bucket(key_of, first_of.size(), start, by_key);
  std::vector<Partition> partitions(first_of.size());
  for (std::size_t r = 0; r < partitions.size(); ++r) {
    const std::span<const std::uint32_t> indices(by_key.data() + start[r], start[r + 1] - start[r]);
    Partition& partition = partitions[r];
    partition.key = operations[indices.front()].key;
    partition.values = ValueTable(indices.size() + 1);
    partition.history_index.reserve(indices.size());
    partition.operations.reserve(indices.size());
    for (const std::size_t index : indices) {
      const Operation& operation = operations[index];
      const bool unknown = operation.outcome == Outcome::kUnknown;
      partition.unknown_operations += unknown ? 1 : 0;
      if (unknown && operation.function == Function::kRead) continue;
      partition.history_index.push_back(index);
      partition.operations.push_back(
          PartitionOperation{to_model(operation, partition.values), operation.invoke_time,
                             unknown ? kNever : operation.complete_time});
    }
  }
  return partitions;
}

// Counts unknown operations placed after an operation invoked once their client gave up.
std::size_t count_late_unknown_effects(const History& history, const Partition& partition,
                                       const std::vector<std::uint32_t>& order) {
  std::size_t late = 0;
  std::int64_t latest_invocation = 0;
  for (const std::uint32_t position : order) {
    const Operation& operation = history.operations[partition.history_index[position]];
    if (operation.outcome == Outcome::kUnknown && operation.complete_time != kNever &&
        latest_invocation > operation.complete_time)
      ++late;
    latest_invocation = std::max(latest_invocation, operation.invoke_time);
  }
  return late;
}

Explanation explain(const Partition& partition, const SearchResult& search) {
  Explanation explanation;
  explanation.search_detail = true;
  explanation.key = partition.key;
  explanation.operations_in_key = partition.operations.size();
  std::vector<bool> in_prefix(partition.operations.size(), false);
  for (const std::uint32_t position : search.order) {
    in_prefix[position] = true;
    explanation.prefix.push_back(partition.history_index[position]);
  }
  const ValueId state = search.value_after_order;
  if (state != kAbsent) explanation.value_after_prefix = std::string(partition.values.text(state));
  // The remaining operation that completes first bounds which ones may come next.
  std::size_t first_to_complete = partition.operations.size();
  for (std::size_t i = 0; i < partition.operations.size(); ++i)
    if (!in_prefix[i] && (first_to_complete == partition.operations.size() ||
                          partition.operations[i].complete_time <
                              partition.operations[first_to_complete].complete_time))
      first_to_complete = i;
  if (first_to_complete == partition.operations.size()) return explanation;
  explanation.must_complete_first = partition.history_index[first_to_complete];
  const std::int64_t bound = partition.operations[first_to_complete].complete_time;
  ValueTable values = partition.values;  // apply() may intern appended values
  for (std::size_t i = 0; i < partition.operations.size(); ++i) {
    if (in_prefix[i] || partition.operations[i].invoke_time > bound) continue;
    const ModelOperation& model = partition.operations[i].model;
    const bool legal = apply(values, state, model).legal;
    explanation.blocked.push_back(BlockedOperation{
        partition.history_index[i], legal,
        legal ? "possible next, but no order of the remaining operations works after it"
              : why_illegal(values, state, model)});
  }
  return explanation;
}

struct KeyOutcome {
  KeyResult result;
  std::optional<Explanation> explanation;
};

// The operations of `partition` at `positions` (ascending), as a partition of their own.
Partition sub_partition(const Partition& partition, const std::vector<std::uint32_t>& positions) {
  Partition sub;
  sub.key = partition.key;
  sub.values = partition.values;
  for (const std::uint32_t position : positions) {
    sub.history_index.push_back(partition.history_index[position]);
    sub.operations.push_back(partition.operations[position]);
  }
  return sub;
}

std::vector<std::size_t> history_indices(const Partition& partition,
                                         const std::vector<std::uint32_t>& positions) {
  std::vector<std::size_t> indices;
  for (const std::uint32_t position : positions)
    indices.push_back(partition.history_index[position]);
  return indices;
}

// The versions' witness is confirmed by searching it alone (it is small), so that a flaw in
// the reasoning of version_order.cpp cannot produce a false alarm: if the search linearizes
// the witness, the caller searches the whole key instead.
std::optional<Explanation> confirmed_witness(const Partition& partition,
                                             const VersionOrderResult& decided,
                                             const SearchLimits& limits) {
  constexpr auto kConfirmationTime = std::chrono::seconds(1);
  constexpr std::size_t kConfirmationMemory = std::size_t{256} << 20;
  Partition witness = sub_partition(partition, decided.witness);
  SearchLimits bounded = limits;
  bounded.deadline =
      std::min(limits.deadline, std::chrono::steady_clock::now() + kConfirmationTime);
  bounded.max_memory_bytes = std::min(limits.max_memory_bytes, kConfirmationMemory);
  const SearchResult search = search_linearization(witness.operations, witness.values, bounded);
  if (search.verdict == Verdict::kLinearizable) return std::nullopt;
  Explanation explanation;
  if (search.verdict == Verdict::kNotLinearizable) explanation = explain(witness, search);
  explanation.key = partition.key;
  explanation.conflicting = history_indices(partition, decided.conflicting);
  explanation.witness = history_indices(partition, decided.witness);
  explanation.reason = decided.reason;
  return explanation;
}

// Whether the operations of `partition` at `positions` alone are not linearizable, by a search
// bounded in memory (not in time, so that the same history always reduces the same way).
std::optional<SearchResult> refuted(const Partition& partition,
                                    const std::vector<std::uint32_t>& positions) {
  constexpr std::size_t kReductionMemory = std::size_t{8} << 20;
  Partition sub = sub_partition(partition, positions);
  SearchLimits limits;
  limits.max_memory_bytes = kReductionMemory;
  SearchResult search = search_linearization(sub.operations, sub.values, limits);
  if (search.verdict != Verdict::kNotLinearizable) return std::nullopt;
  return search;
}

// Whether `position` may have made a value that an operation of `kept` saw (a read's value, a
// successful compare-and-set's expected value). Such a mutation stays in a witness: without it
// the value would be invented, and the witness would show that instead of the real conflict.
bool makes_a_seen_value(const Partition& partition, const std::vector<std::uint32_t>& kept,
                        std::uint32_t position) {
  const ModelOperation& mutation = partition.operations[position].model;
  if (mutation.function == Function::kRead ||
      (mutation.function == Function::kCompareAndSet && mutation.outcome == Outcome::kFailed))
    return false;
  const std::string_view made = partition.values.text(mutation.argument);
  for (const std::uint32_t other : kept) {
    const ModelOperation& seer = partition.operations[other].model;
    ValueId seen = kAbsent;
    if (seer.function == Function::kRead) seen = seer.observed;
    if (seer.function == Function::kCompareAndSet && seer.outcome == Outcome::kOk)
      seen = seer.expected;
    if (seen == kAbsent) continue;
    if (mutation.function == Function::kAppend
            ? partition.values.text(seen).find(made) != std::string_view::npos
            : seen == mutation.argument)
      return true;
  }
  return false;
}

// A small sub-history that is not linearizable by itself, from a key the search refuted: the
// operations invoked before the first completion the search could not get past, then each one
// dropped in turn if the rest still cannot be ordered and it made no value the rest saw (so
// nothing left can go without inventing a value). Only for sets small enough to search a
// hundred times or so.
std::optional<Explanation> reduced_witness(const Partition& partition, const SearchResult& search) {
  constexpr std::size_t kMostToReduce = 120;
  std::vector<bool> in_prefix(partition.operations.size(), false);
  for (const std::uint32_t position : search.order) in_prefix[position] = true;
  std::int64_t bound = kNever;
  for (std::size_t i = 0; i < partition.operations.size(); ++i)
    if (!in_prefix[i]) bound = std::min(bound, partition.operations[i].complete_time);
  std::vector<std::uint32_t> kept;
  for (std::uint32_t i = 0; i < partition.operations.size(); ++i)
    if (partition.operations[i].invoke_time <= bound) kept.push_back(i);
  if (kept.size() > kMostToReduce || !refuted(partition, kept)) return std::nullopt;
  for (std::size_t i = kept.size(); i-- > 0;) {
    if (makes_a_seen_value(partition, kept, kept[i])) continue;
    std::vector<std::uint32_t> without = kept;
    without.erase(without.begin() + static_cast<long>(i));
    if (!without.empty() && refuted(partition, without)) kept = std::move(without);
  }
  const std::optional<SearchResult> alone = refuted(partition, kept);
  if (!alone) return std::nullopt;
  Explanation explanation = explain(sub_partition(partition, kept), *alone);
  explanation.key = partition.key;
  explanation.conflicting = history_indices(partition, kept);
  explanation.witness = explanation.conflicting;
  explanation.reason =
      "no order of them alone is linearizable, and dropping any one of them either lets them "
      "be ordered or leaves a value nobody made";
  return explanation;
}

KeyOutcome start_key(const Partition& partition) {
  KeyOutcome outcome;
  KeyResult& result = outcome.result;
  result.key = partition.key;
  result.operations = partition.history_index.size();
  result.unknown_operations = partition.unknown_operations;
  return outcome;
}

// Decides the key from its versions if its values allow; false if it must be searched.
bool decide_by_versions(const History& history, const Partition& partition,
                        const SearchLimits& limits, KeyOutcome& outcome) {
  KeyResult& result = outcome.result;
  const VersionOrderResult decided =
      decide_by_version_order(partition.operations, partition.values);
  result.why_search = decided.not_applicable_reason;
  if (decided.applicable && decided.verdict == Verdict::kLinearizable) {
    result.method = Method::kVersionOrder;
    result.verdict = Verdict::kLinearizable;
    result.unknown_effects_after_give_up =
        count_late_unknown_effects(history, partition, decided.order);
    return true;
  }
  if (!decided.applicable) return false;
  outcome.explanation = confirmed_witness(partition, decided, limits);
  if (!outcome.explanation) {
    result.why_search = "the versions' witness was linearizable alone (a defect, reported)";
    return false;
  }
  result.method = Method::kVersionOrder;
  result.verdict = Verdict::kNotLinearizable;
  return true;
}

void record_search(const History& history, const Partition& partition, const SearchResult& search,
                   bool reduce_witness, KeyOutcome& outcome) {
  KeyResult& result = outcome.result;
  result.method = Method::kSearch;
  result.verdict = search.verdict;
  result.states = search.states;
  result.cache_bytes = search.cache_bytes;
  result.undecided_reason = search.undecided_reason;
  if (search.verdict == Verdict::kLinearizable)
    result.unknown_effects_after_give_up =
        count_late_unknown_effects(history, partition, search.order);
  if (search.verdict != Verdict::kNotLinearizable) return;
  if (reduce_witness) outcome.explanation = reduced_witness(partition, search);
  if (!outcome.explanation) outcome.explanation = explain(partition, search);
}

// Runs `work(worker)` on `workers` threads, the calling thread included.
template <typename Work>
void on_threads(std::size_t workers, Work work) {
  std::vector<std::jthread> pool;
  for (std::size_t i = 1; i < workers; ++i) pool.emplace_back(work);
  work();
}

// The searches of every key that needs one, interleaved: each runs a slice of steps in turn,
// and the slices double, so a key that fails quickly stops the whole check (as Porcupine
// stops its partitions) instead of waiting behind a hard key. With one thread the interleaving,
// hence which failing key is found first, is deterministic.
//
// The first slices are small: a key that fails in a few steps is reached after every key has
// taken only those few, instead of waiting behind keys that each take a long first slice (a
// history of 20 keys, one failing in 5 states, took 1.9 times Porcupine's time so).
//
// Each key is searched in both candidate orders side by side (a portfolio, wgl_search.h), in
// the same slice on the same thread (they share the key's value table); the first to decide
// answers. A key costs at most twice its better order, instead of 10 to 50 times on the
// histories where the other one is lost. The second order joins once the key has run
// kSecondOrderAfter steps: most keys are decided before, and would pay twice for nothing. 4,096
// rather than 16,384: at 16,384 the Jepsen set, whose long keys need the other order, took
// 3.5 ms against 1.6 ms, with the regressions unchanged (docs/performance.md).
class SearchScheduler {
 public:
  SearchScheduler(const History& history, std::vector<Partition>& partitions,
                  std::vector<KeyOutcome>& outcomes, const SearchLimits& limits,
                  bool reduce_witness)
      : history_(history),
        partitions_(partitions),
        outcomes_(outcomes),
        limits_(limits),
        reduce_witness_(reduce_witness) {}

  void add(std::size_t key) { queue_.push_back({key, kFirstSlice}); }

  void run(std::size_t workers) {
    searches_.resize(partitions_.size());
    on_threads(workers, [this] { work(); });
  }

 private:
  static constexpr std::uint64_t kFirstSlice = 1 << 8;
  static constexpr std::uint64_t kSecondOrderAfter = 1 << 12;
  struct Slice {
    std::size_t key;
    std::uint64_t steps;
  };
  // The key's searches still running, one per candidate order.
  using Portfolio = std::vector<std::unique_ptr<LinearizationSearch>>;

  // Starts the key's search in invocation order, and in the other order once the key has run
  // long enough to be worth it (a slice's steps are the steps run before it, plus the first).
  void extend(std::size_t key, std::uint64_t slice_steps, Portfolio& portfolio) {
    Partition& partition = partitions_[key];
    if (slice_steps == kFirstSlice)
      portfolio.push_back(std::make_unique<LinearizationSearch>(
          partition.operations, partition.values, limits_, CandidateOrder::kInvocationOrder));
    if (slice_steps == kSecondOrderAfter && defers_unknown_operations(partition.operations))
      portfolio.push_back(std::make_unique<LinearizationSearch>(
          partition.operations, partition.values, limits_, CandidateOrder::kKnownOutcomeFirst));
  }

  // Runs every search of the portfolio for `steps`: a verdict from any of them answers; one
  // that gave up (memory, time, another key failed) leaves the others running, and answers
  // only if it was the last.
  static std::optional<SearchResult> run_slice(Portfolio& portfolio, std::uint64_t steps) {
    for (std::size_t i = 0; i < portfolio.size();) {
      std::optional<SearchResult> result = portfolio[i]->run_for(steps);
      if (!result) {
        ++i;
        continue;
      }
      portfolio.erase(portfolio.begin() + static_cast<std::ptrdiff_t>(i));
      if (result->verdict != Verdict::kUndecided || portfolio.empty()) return result;
    }
    return std::nullopt;
  }

  void work() {
    std::unique_lock lock(mutex_);
    while (true) {
      ready_.wait(lock, [this] { return !queue_.empty() || in_flight_ == 0; });
      if (queue_.empty()) return;
      const Slice slice = queue_.front();
      queue_.pop_front();
      ++in_flight_;
      lock.unlock();
      Portfolio& portfolio = searches_[slice.key];
      extend(slice.key, slice.steps, portfolio);
      const std::optional<SearchResult> result = run_slice(portfolio, slice.steps);
      if (result) {
        record_search(history_, partitions_[slice.key], *result, reduce_witness_,
                      outcomes_[slice.key]);
        portfolio.clear();  // its memory goes back to the others
        if (result->verdict == Verdict::kNotLinearizable) stop_.store(true);
      }
      lock.lock();
      --in_flight_;
      if (!result) queue_.push_back({slice.key, slice.steps * 2});
      ready_.notify_all();
    }
  }

  const History& history_;
  std::vector<Partition>& partitions_;
  std::vector<KeyOutcome>& outcomes_;
  const SearchLimits& limits_;
  const bool reduce_witness_;
  std::vector<Portfolio> searches_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Slice> queue_;
  std::size_t in_flight_ = 0;

 public:
  std::atomic<bool> stop_{false};
};

// First every key by its versions (cheap, in parallel), then the search of the keys that need
// it, interleaved; any key that fails stops the rest. Results land in their key's slot.
void run_pool(const History& history, std::vector<Partition>& partitions,
              std::vector<KeyOutcome>& outcomes, const CheckOptions& options) {
  std::atomic<std::size_t> memory_in_use{0};
  SearchLimits limits;
  limits.max_memory_bytes = options.max_memory_bytes;
  limits.memory_in_use = &memory_in_use;
  if (options.timeout) limits.deadline = std::chrono::steady_clock::now() + *options.timeout;
  // Starting a thread costs about as much as checking a few thousand operations, so unless told
  // otherwise small histories are checked on the calling thread alone. The core count is asked
  // once: glibc reads /sys for it, which costs more than checking a small history.
  constexpr std::size_t kOperationsPerWorker = 4096;
  static const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t automatic =
      std::min<std::size_t>(cores, 1 + history.operations.size() / kOperationsPerWorker);
  const std::size_t workers = std::max<std::size_t>(
      1, std::min(options.threads ? std::size_t{options.threads} : automatic, partitions.size()));

  // Once a key fails, the keys after it need no decision: merge() reports only the first
  // failing key in key order, and every key before a failing one is still decided, so the
  // report does not depend on the thread count.
  std::vector<bool> decided(partitions.size(), false);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> first_failed{partitions.size()};
  on_threads(workers, [&] {
    for (std::size_t i = next.fetch_add(1); i < partitions.size(); i = next.fetch_add(1)) {
      outcomes[i] = start_key(partitions[i]);
      if (i > first_failed.load()) continue;
      decided[i] = decide_by_versions(history, partitions[i], limits, outcomes[i]);
      if (!decided[i] || outcomes[i].result.verdict != Verdict::kNotLinearizable) continue;
      for (std::size_t failed = first_failed.load();
           i < failed && !first_failed.compare_exchange_weak(failed, i);) {
      }
    }
  });
  SearchScheduler scheduler(history, partitions, outcomes, limits, options.reduce_witness);
  limits.stop = &scheduler.stop_;
  bool failed = false;
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    failed = failed || (decided[i] && outcomes[i].result.verdict == Verdict::kNotLinearizable);
    if (!decided[i]) scheduler.add(i);
  }
  if (failed) {
    for (std::size_t i = 0; i < partitions.size(); ++i)
      if (!decided[i])
        outcomes[i].result.undecided_reason = "not decided: another key is not linearizable";
    return;
  }
  scheduler.run(workers);
}

CheckResult merge(std::vector<Partition>& partitions, std::vector<KeyOutcome>& outcomes) {
  CheckResult result;
  result.verdict = Verdict::kLinearizable;
  result.keys.reserve(outcomes.size());
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    KeyResult key = std::move(outcomes[i].result);
    if (result.verdict == Verdict::kNotLinearizable) {  // reported alike for any thread count
      key = KeyResult{partitions[i].key, partitions[i].history_index.size(), Verdict::kUndecided};
      key.unknown_operations = partitions[i].unknown_operations;
      key.undecided_reason = "not checked: an earlier key is not linearizable";
    } else if (key.verdict == Verdict::kNotLinearizable) {
      result.verdict = Verdict::kNotLinearizable;
      result.explanation = std::move(outcomes[i].explanation);
      result.undecided_reason.clear();
    } else if (key.verdict == Verdict::kUndecided && result.verdict == Verdict::kLinearizable) {
      result.verdict = Verdict::kUndecided;
      const std::string name = key.key.empty() ? "the register" : "key \"" + key.key + "\"";
      result.undecided_reason = name + ": " + key.undecided_reason;
    }
    result.keys.push_back(std::move(key));
  }
  return result;
}

}  // namespace

CheckResult check_linearizability(const History& history, const CheckOptions& options) {
  std::vector<Partition> partitions = partition_by_key(history);
  std::vector<KeyOutcome> outcomes(partitions.size());
  run_pool(history, partitions, outcomes, options);
  return merge(partitions, outcomes);
}

std::string_view method_name(Method method) {
  return method == Method::kVersionOrder ? "version-order" : "search";
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kLinearizable:
      return "linearizable";
    case Verdict::kNotLinearizable:
      return "not-linearizable";
    case Verdict::kUndecided:
      return "undecided";
  }
  return "undecided";
}

}  // namespace zerospof::history
