#include "drill/run_order.h"

#include <algorithm>
#include <random>

namespace zerospof::drill {

std::vector<PlannedRun> plan_runs(const std::vector<const Scenario*>& scenarios, int runs,
                                  std::uint64_t seed, const std::vector<ScenarioResult>& earlier) {
  std::vector<PlannedRun> planned;
  // std::shuffle's draws are the library's own, but this engine's sequence is fixed by the
  // standard: the same libstdc++ gives the same order, which is all a resume needs.
  std::mt19937_64 random(seed);
  for (int run = 1; run <= runs; ++run) {
    std::vector<const Scenario*> order = scenarios;
    std::shuffle(order.begin(), order.end(), random);
    for (const Scenario* scenario : order) {
      auto done = std::find_if(earlier.begin(), earlier.end(), [&](const ScenarioResult& result) {
        return result.name == scenario->name && result.run == run;
      });
      planned.push_back({run, scenario, done == earlier.end() ? nullptr : &*done});
    }
  }
  return planned;
}

}  // namespace zerospof::drill
