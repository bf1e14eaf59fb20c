// Checks that a history is linearizable: every operation appears to take effect atomically at
// some instant between its invocation and its completion, in an order the register model
// accepts. For a drill this is the proof that no acknowledged write was lost and no read saw a
// stale or invented value.
//
// The history is split by key (P-compositionality, Herlihy & Wing 1990: it is linearizable iff
// each key's sub-history is). Each key is first decided from the order of versions its values
// reveal when they are unique (version_order.h, polynomial); the other keys are searched
// (wgl_search.h), interleaved in slices on a bounded pool of threads, so that the first key
// found not linearizable stops them all. Operations of unknown outcome may take effect at any
// time after their invocation or not at all; reads of unknown outcome constrain nothing and are
// left out.
//
// Guarantees: the verdict is the same for any thread count, except that a time or memory limit
// can turn it into kUndecided; memory is bounded by max_memory_bytes across all the searches.
// Keys are reported in key order; when a key is not linearizable the explanation is that of
// the first failing key, the keys after it are reported as not checked, and keys before it may
// be reported undecided (stopped by the failure); with several failing keys and several
// threads, which one is explained may differ from run to run. Never throws on any History.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "history/history.h"
#include "history/wgl_search.h"

namespace zerospof::history {

struct CheckOptions {
  std::optional<std::chrono::milliseconds> timeout;  // for the whole check; none: no limit
  unsigned threads = 0;                              // 0: one per core, fewer for small histories
  // The memory the searches may hold at once (memo tables and the values appends make), split
  // evenly between the keys searched in parallel: beyond it the verdict is undecided.
  std::size_t max_memory_bytes = std::size_t{2} << 30;
  // Reduce a searched key's violation to a small witness (about a hundred searches of a few
  // dozen operations: a millisecond on a Jepsen history). Off, the explanation is the longest
  // prefix of the whole key; the verdict is the same.
  bool reduce_witness = true;
};

// An operation the search could not order after the longest linearizable prefix.
struct BlockedOperation {
  std::size_t operation = 0;  // index into History::operations
  bool legal_here = false;    // the model accepts it right after the prefix
  std::string reason;         // why not, or that every continuation after it failed
};

// Computed from the first non-linearizable key. When the key's values identify its versions
// (version_order.h), the witness: a few operations whose order is contradictory and the
// mutations that made the values they saw, a sub-history that is not linearizable by itself; the
// rest is then about that sub-history. Otherwise, from the search: the longest linearizable
// prefix it reached and the operations that could come next, none of which leads to a
// linearization.
struct Explanation {
  std::string key;
  std::vector<std::size_t> conflicting;  // indices into History::operations, ascending
  std::vector<std::size_t> witness;      // the conflicting ones and what made their values
  std::string reason;                    // why the conflicting operations cannot be ordered
  // The search's detail below is set (when there is a witness: about the witness alone).
  bool search_detail = false;
  std::vector<std::size_t> prefix;  // indices into History::operations, in linearization order
  Value value_after_prefix;
  std::size_t operations_in_key = 0;
  // The operation whose completion the search could not get past: it must be ordered before it
  // completes, and nothing that may come first lets it.
  std::size_t must_complete_first = 0;
  std::vector<BlockedOperation> blocked;  // in invocation order
};

// How a key was decided: from the order of versions its unique values reveal (polynomial), or by
// the search (exponential in the worst case).
enum class Method : std::uint8_t { kVersionOrder, kSearch };

struct KeyResult {
  std::string key;
  std::size_t operations = 0;
  Verdict verdict = Verdict::kUndecided;
  std::size_t states = 0;       // configurations memoised by the search
  std::size_t cache_bytes = 0;  // memory the memo table held
  std::size_t unknown_operations = 0;
  // Operations of unknown outcome that the linearization found places after an operation
  // invoked once their client had already given up: proof that "may take effect later" was used.
  std::size_t unknown_effects_after_give_up = 0;
  std::string undecided_reason;
  Method method = Method::kSearch;
  std::string why_search;  // for kSearch: why the values could not decide it
};

struct CheckResult {
  Verdict verdict = Verdict::kUndecided;
  std::vector<KeyResult> keys;             // in key order
  std::optional<Explanation> explanation;  // set when verdict is kNotLinearizable
  std::string undecided_reason;            // set when verdict is kUndecided
};

CheckResult check_linearizability(const History& history, const CheckOptions& options = {});

std::string_view verdict_name(Verdict verdict);  // "linearizable", "not-linearizable", ...
std::string_view method_name(Method method);     // "version-order" or "search"

}  // namespace zerospof::history
