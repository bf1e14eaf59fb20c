// Properties of the checker over histories generated from a real sequential execution
// (history_generator.h), with seeds and sizes chosen by rapidcheck.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "history/history_generator.h"
#include "history/linearizability.h"

namespace zerospof::history {
namespace {

GeneratorOptions arbitrary_options() {
  GeneratorOptions options;
  options.seed = *rc::gen::arbitrary<std::uint64_t>();
  options.operations = *rc::gen::inRange<std::size_t>(1, 120);
  options.processes = *rc::gen::inRange<std::size_t>(1, 6);
  options.keys = *rc::gen::inRange<std::size_t>(1, 4);
  options.key_value = *rc::gen::arbitrary<bool>();
  options.unknown_per_mille = *rc::gen::inRange<std::uint32_t>(0, 200);
  options.register_values = *rc::gen::inRange<std::uint32_t>(1, 6);
  return options;
}

CheckOptions bounded(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  CheckOptions options;
  options.timeout = timeout;
  return options;
}

RC_GTEST_PROP(LinearizabilityProperty, SequentialExecutionsAreLinearizable, ()) {
  // Given any history of a real sequential execution, the verdict should be linearizable.
  const History history = generate_history(arbitrary_options());
  RC_ASSERT(check_linearizability(history, bounded()).verdict == Verdict::kLinearizable);
}

RC_GTEST_PROP(LinearizabilityProperty, ReadOfAValueNeverWrittenIsNotLinearizable, ()) {
  // Given such a history with one ok read's result replaced by a value no operation wrote,
  // the verdict should be not linearizable, with an explanation. Refuting a history means
  // exhausting its orders, which is exponential in the unknown appends it holds, so a time
  // limit may leave it undecided; it must never be called linearizable.
  History history = generate_history(arbitrary_options());
  std::vector<std::size_t> reads;
  for (std::size_t i = 0; i < history.operations.size(); ++i)
    if (history.operations[i].function == Function::kRead &&
        history.operations[i].outcome == Outcome::kOk)
      reads.push_back(i);
  RC_PRE(!reads.empty());
  const std::size_t victim = *rc::gen::elementOf(reads);
  history.operations[victim].observed = "never written!";
  const CheckResult result = check_linearizability(history, bounded(std::chrono::seconds(1)));
  RC_CLASSIFY(result.verdict == Verdict::kUndecided, "undecided within 1 s");
  RC_ASSERT(result.verdict != Verdict::kLinearizable);
  if (result.verdict == Verdict::kUndecided) return;
  RC_ASSERT(result.explanation.has_value());
  RC_ASSERT(!result.explanation->blocked.empty() || !result.explanation->witness.empty());
}

RC_GTEST_PROP(LinearizabilityProperty, VerdictDoesNotDependOnThreadCount, ()) {
  const History history = generate_history(arbitrary_options());
  CheckOptions one = bounded(), three = bounded();
  one.threads = 1;
  three.threads = 3;
  const CheckResult a = check_linearizability(history, one);
  const CheckResult b = check_linearizability(history, three);
  RC_ASSERT(a.verdict == b.verdict);
  RC_ASSERT(a.keys.size() == b.keys.size());
}

}  // namespace
}  // namespace zerospof::history
