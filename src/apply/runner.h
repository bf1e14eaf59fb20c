// Runner: executes a StepGraph against hosts. For each step, in dependency order and in
// parallel: check() through the observing transport; if not done, run() through the acting
// transport (the same one for a real apply, a recorder for --dry-run: the runner never knows).
//
// Guarantees: a step starts only after all its deps succeeded (unchanged or changed); a step
// whose dependency failed or was skipped is skipped, with the failed dependency named; other
// branches carry on, so one bad host does not hide the state of the others; at most
// `parallel` steps in flight overall and `per_host` per host; the journal records a step's
// outcome (fsynced) before the ProgressSink hears of it; every step is reported exactly once.
// A step whose check or run failed with a transient error (ErrorCode::kUnavailable: the host
// could not be reached over SSH, a tunnel dropped) is tried again, up to `attempts` times with
// a growing pause; steps are idempotent, so a second try of a half-done one converges. Any
// other error fails the step at once.
#pragma once

#include <chrono>
#include <vector>

#include "apply/journal.h"
#include "apply/progress.h"
#include "apply/step_graph.h"
#include "transport/transport.h"

namespace zerospof::apply {

struct RunnerOptions {
  int parallel = 16;
  int per_host = 4;
  int attempts = 3;                             // of a step whose error is transient
  std::chrono::milliseconds retry_pause{1000};  // before the 2nd try; doubled after each
};

struct RunReport {
  std::vector<StepResult> results;  // in the order steps finished
  int count(Outcome outcome) const;
  bool ok() const { return count(Outcome::kFailed) == 0 && count(Outcome::kSkipped) == 0; }
};

struct RunContext {
  transport::Transport& observe;
  transport::Transport& act;
  Journal& journal;
  ProgressSink& progress;
};

// Fails only when the graph itself is wrong (unknown dependency, cycle) or the journal cannot be
// written; step failures are in the report.
util::Result<RunReport> run_steps(const StepGraph& graph, const RunContext& context,
                                  const RunnerOptions& options);

}  // namespace zerospof::apply
