// The order of a drill's scenario runs: each scenario once per run, run by run, repeated by the
// seed, and a resumed drill's finished runs found in their places.
#include "drill/run_order.h"

#include <gtest/gtest.h>

#include <set>

namespace zerospof::drill {
namespace {

std::vector<std::string> names(const std::vector<PlannedRun>& planned) {
  std::vector<std::string> out;
  for (const PlannedRun& each : planned)
    out.push_back(each.scenario->name + "-" + std::to_string(each.run));
  return out;
}

class RunOrderTest : public ::testing::Test {
 protected:
  std::vector<Scenario> catalogue_{{.name = "a"}, {.name = "b"}, {.name = "c"}, {.name = "d"}};
  std::vector<const Scenario*> chosen_{&catalogue_[0], &catalogue_[1], &catalogue_[2],
                                       &catalogue_[3]};
};

TEST_F(RunOrderTest, EachScenarioOncePerRunRunByRunAndTheSeedRepeatsIt) {
  std::vector<PlannedRun> planned = plan_runs(chosen_, 3, 91, {});
  ASSERT_EQ(planned.size(), 12u);
  for (int run = 1; run <= 3; ++run) {
    std::set<std::string> seen;
    for (std::size_t i = 4 * (run - 1); i < 4u * run; ++i) {
      EXPECT_EQ(planned[i].run, run);
      EXPECT_EQ(planned[i].earlier, nullptr);
      seen.insert(planned[i].scenario->name);
    }
    EXPECT_EQ(seen.size(), 4u) << "run " << run;
  }
  EXPECT_EQ(names(plan_runs(chosen_, 3, 91, {})), names(planned));
  // Some other seed orders them otherwise (24 orders per run: one of ten seeds differs).
  bool differs = false;
  for (std::uint64_t seed = 1; seed <= 10 && !differs; ++seed)
    differs = names(plan_runs(chosen_, 3, seed, {})) != names(planned);
  EXPECT_TRUE(differs);
}

TEST_F(RunOrderTest, AFinishedRunIsFoundInItsPlaceAndOnlyThere) {
  std::vector<PlannedRun> fresh = plan_runs(chosen_, 2, 7, {});
  // What a drill stopped after three runs kept, in the order it ran them, plus a run of a
  // scenario this drill does not have.
  std::vector<ScenarioResult> earlier;
  for (std::size_t i = 0; i < 3; ++i)
    earlier.push_back({.name = fresh[i].scenario->name, .run = fresh[i].run});
  earlier.push_back({.name = "gone", .run = 1});
  std::vector<PlannedRun> resumed = plan_runs(chosen_, 2, 7, earlier);
  EXPECT_EQ(names(resumed), names(fresh)) << "the same order again";
  for (std::size_t i = 0; i < resumed.size(); ++i) {
    if (i < 3) {
      ASSERT_NE(resumed[i].earlier, nullptr) << i;
      EXPECT_EQ(resumed[i].earlier, &earlier[i]);
    } else {
      EXPECT_EQ(resumed[i].earlier, nullptr) << i << ": run " << resumed[i].run << " of "
                                             << resumed[i].scenario->name << " still to run";
    }
  }
}

}  // namespace
}  // namespace zerospof::drill
