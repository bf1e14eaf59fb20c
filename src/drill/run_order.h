// The order a drill makes its scenario runs in: each run of the scenarios shuffled by the seed,
// run 1's before run 2's, so that `--seed` repeats a drill, and a resumed drill (journal.h)
// draws the same order again and finds each run it finished in its place.
//
// Guarantees: every scenario appears once per run; the same scenarios, runs and seed give the
// same order, in any process; a finished run is matched by scenario name and run number, each
// at most once.
#pragma once

#include <cstdint>
#include <vector>

#include "drill/record.h"
#include "drill/scenario.h"

namespace zerospof::drill {

struct PlannedRun {
  int run = 1;
  const Scenario* scenario = nullptr;
  // What an earlier invocation of the drill measured for it, kept as judged (nullptr: to run).
  const ScenarioResult* earlier = nullptr;
};

std::vector<PlannedRun> plan_runs(const std::vector<const Scenario*>& scenarios, int runs,
                                  std::uint64_t seed, const std::vector<ScenarioResult>& earlier);

}  // namespace zerospof::drill
