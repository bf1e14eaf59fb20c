// Decides one key's linearizability in O(n log n + input size) when every written value is
// unique, instead of searching (wgl_search.h is exponential in the operations in flight at once,
// which a failover's stall window makes 50 or more).
//
// With unique values a value names the version of the key that held it: a read of "a" names
// the write of "a"; a read of "x 0 0 yx 1 0 y" names the append of "x 1 0 y" and says that it
// came right after the append of "x 0 0 y", which came right after the initial value; a
// successful compare-and-set comes right after the version its expected value names. These
// "comes right after" links tie versions into chains that must be contiguous in any
// linearization, a chain being a write (or the initial value) and what was appended or
// compare-and-set onto it, with the reads of each of its versions. What is left to choose is the
// order of whole chains, which is Gibbons and Korach's problem for registers with unique writes
// (SIAM J. Computing 26(4), 1997), solved by their zones: a chain whose operations cannot all
// share one instant (some completes before another is invoked) occupies the interval between,
// and no other chain can be inside it.
//
// Guarantees:
// - applicable only when values identify versions (distinct non-empty written values, distinct
//   non-empty appended values, no failed compare-and-set, every observed value parses one way);
//   otherwise `applicable` is false with the reason, and the caller searches;
// - kLinearizable comes with a linearization that has been replayed against the model and the
//   real-time order, so a flaw in the reasoning above cannot produce a false "linearizable";
// - kNotLinearizable comes with a witness: the few operations that conflict and the mutations
//   that made the values they saw, a sub-history that is itself not linearizable (the caller
//   confirms that with a bounded search; it guards the report, not the verdict, since a
//   sub-history can fail where the whole history does not: the verdict's guard is the property
//   test that compares this decision with the search on generated histories).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "history/wgl_search.h"

namespace zerospof::history {

struct VersionOrderResult {
  bool applicable = false;
  std::string not_applicable_reason;
  Verdict verdict = Verdict::kUndecided;
  // kLinearizable: a linearization (operations of unknown outcome that never took effect are
  // absent). Indices into the operations.
  std::vector<std::uint32_t> order;
  // kNotLinearizable: the operations whose order is contradictory (ascending), the part of the
  // witness a person reads first, then all of the witness including the mutations that made the
  // values those operations saw (ascending).
  std::vector<std::uint32_t> conflicting;
  std::vector<std::uint32_t> witness;
  std::string reason;
};

// `operations` must be ordered by invoke_time, with invoke_time <= complete_time; reads of
// unknown outcome must have been left out (they constrain nothing).
VersionOrderResult decide_by_version_order(const std::vector<PartitionOperation>& operations,
                                           const ValueTable& values);

}  // namespace zerospof::history
