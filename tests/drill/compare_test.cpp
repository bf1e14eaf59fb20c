// Tunings compared on one cluster: the plan's tuning is drilled first, the other one applied and
// drilled, and the plan's tuning applied again at the end, whatever failed in between; a report
// already made is never dropped.
#include "drill/compare.h"

#include <gtest/gtest.h>

namespace zerospof::drill {
namespace {

using model::TuningProfile;

// Records what it was asked to apply; fails the applies whose 1-based number is in `failing`.
class RecordingSwitch : public TuningSwitch {
 public:
  explicit RecordingSwitch(std::vector<int> failing = {}) : failing_(std::move(failing)) {}
  util::Status switch_to(const model::Cluster& cluster) override {
    applied.push_back(cluster.tuning);
    if (std::find(failing_.begin(), failing_.end(), static_cast<int>(applied.size())) !=
        failing_.end())
      return util::fail(util::Error::unavailable("apply step etcd/restart failed"));
    return {};
  }
  std::vector<model::Tuning> applied;

 private:
  std::vector<int> failing_;
};

class CompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_.name = "homelab";
    plan_.tuning.node_monitor_grace_period_ms = 6000;  // the plan's own over the fast profile
  }

  // A drill that reports the tuning it was given, or fails for the tunings in `refuse`, or is
  // stopped by the operator under the tunings in `stopped`.
  DrillOfCluster drill(std::vector<TuningProfile> refuse = {},
                       std::vector<TuningProfile> stopped = {}) {
    return [this, refuse, stopped](const model::Cluster& cluster) -> util::Result<DrillReport> {
      drilled.push_back(cluster.tuning);
      auto among = [&](const std::vector<TuningProfile>& profiles) {
        return std::find(profiles.begin(), profiles.end(), cluster.tuning.profile) !=
               profiles.end();
      };
      if (among(refuse))
        return util::fail(util::Error::failed_precondition("the cluster is not healthy"));
      return DrillReport{.cluster = cluster.name,
                         .tuning = model::to_string(cluster.tuning.profile),
                         .interrupted = among(stopped)};
    };
  }

  std::function<void(const std::string&)> progress = [this](const std::string& line) {
    said.push_back(line);
  };
  std::function<bool()> no_stop = [] { return false; };
  model::Cluster plan_;
  std::vector<model::Tuning> drilled;
  std::vector<std::string> said;
};

TEST_F(CompareTest, ThePlansTuningThenTheOtherThenThePlansAgain) {
  RecordingSwitch tunings;
  auto result =
      drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings, drill(), progress, no_stop);
  ASSERT_TRUE(result) << util::format_error(result.error());
  ASSERT_EQ(drilled.size(), 2u);
  EXPECT_EQ(drilled[0], plan_.tuning);
  EXPECT_EQ(drilled[1], model::Tuning::of(TuningProfile::kKubeadmGuide))
      << "the profile's own values, none of the plan's";
  ASSERT_EQ(tunings.applied.size(), 2u);
  EXPECT_EQ(tunings.applied[0], model::Tuning::of(TuningProfile::kKubeadmGuide));
  EXPECT_EQ(tunings.applied[1], plan_.tuning) << "the plan's own timings back, overrides and all";
  EXPECT_TRUE(result->restored);
  EXPECT_EQ(result->report.tuning, "fast");
  ASSERT_EQ(result->report.compared.size(), 1u);
  EXPECT_EQ(result->report.compared[0].tuning, "kubeadm-guide");
}

TEST_F(CompareTest, ADrillThatCannotRunUnderTheOtherTuningStillGetsThePlansTuningBack) {
  RecordingSwitch tunings;
  auto result = drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings,
                               drill({TuningProfile::kKubeadmGuide}), progress, no_stop);
  ASSERT_TRUE(result);
  ASSERT_EQ(tunings.applied.size(), 2u);
  EXPECT_EQ(tunings.applied[1], plan_.tuning);
  EXPECT_TRUE(result->report.compared.empty());
  ASSERT_EQ(result->report.notes.size(), 1u);
  EXPECT_NE(result->report.notes[0].find("tuning kubeadm-guide: the drill did not run"),
            std::string::npos);
}

TEST_F(CompareTest, AFailedSwitchIsUndoneAndTheFirstReportKept) {
  // The first apply (to the guide's tuning) fails part way: some nodes may run it already.
  RecordingSwitch tunings({1});
  auto result =
      drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings, drill(), progress, no_stop);
  ASSERT_TRUE(result);
  EXPECT_EQ(drilled.size(), 1u) << "nothing is drilled on a half-switched cluster";
  ASSERT_EQ(tunings.applied.size(), 2u);
  EXPECT_EQ(tunings.applied[1], plan_.tuning);
  EXPECT_TRUE(result->restored);
  const std::string& note = result->report.notes.at(0);
  EXPECT_NE(note.find("tuning kubeadm-guide: not drilled; applying it failed"), std::string::npos)
      << note;
  EXPECT_NE(note.find("apply step etcd/restart failed"), std::string::npos) << note;
}

TEST_F(CompareTest, ARestoreThatFailsIsAValueBesideTheReportNotALostReport) {
  RecordingSwitch tunings({2});
  auto result =
      drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings, drill(), progress, no_stop);
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->restored);
  EXPECT_EQ(result->report.compared.size(), 1u);
  EXPECT_NE(result->report.notes.back().find("could not be given the plan's tuning back"),
            std::string::npos);
}

TEST_F(CompareTest, ThePlansOwnDrillFailingEndsItBeforeAnythingIsApplied) {
  RecordingSwitch tunings;
  auto result = drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings,
                               drill({TuningProfile::kFast}), progress, no_stop);
  ASSERT_FALSE(result);
  EXPECT_TRUE(tunings.applied.empty());
}

TEST_F(CompareTest, StoppedUnderThePlansTuningNothingIsSwitched) {
  RecordingSwitch tunings;
  auto result = drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings,
                               drill({}, {TuningProfile::kFast}), progress, no_stop);
  ASSERT_TRUE(result);
  EXPECT_EQ(drilled.size(), 1u);
  EXPECT_TRUE(tunings.applied.empty());
  EXPECT_TRUE(result->report.interrupted);
  EXPECT_TRUE(result->restored);
}

TEST_F(CompareTest, StoppedUnderTheOtherTuningItsReportIsKeptAndThePlansTuningGoesBack) {
  RecordingSwitch tunings;
  auto result = drill_compared(plan_, {TuningProfile::kKubeadmGuide, TuningProfile::kFast}, tunings,
                               drill({}, {TuningProfile::kKubeadmGuide}), progress, no_stop);
  ASSERT_TRUE(result);
  EXPECT_EQ(drilled.size(), 2u) << "no tuning is drilled after the stop";
  ASSERT_EQ(tunings.applied.size(), 2u);
  EXPECT_EQ(tunings.applied[1], plan_.tuning);
  ASSERT_EQ(result->report.compared.size(), 1u);
  EXPECT_TRUE(result->report.compared[0].interrupted);
  EXPECT_TRUE(result->report.interrupted);
  EXPECT_NE(said.back().find("stopped by the operator"), std::string::npos) << said.back();
}

// Ctrl-C after the plan's drill ended (its reports being written, its probes removed): the
// comparison ends there, nothing is switched.
TEST_F(CompareTest, AStopBetweenTheDrillsSwitchesNothing) {
  RecordingSwitch tunings;
  auto result = drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings, drill(), progress,
                               [] { return true; });
  ASSERT_TRUE(result);
  EXPECT_EQ(drilled.size(), 1u);
  EXPECT_TRUE(tunings.applied.empty());
  EXPECT_TRUE(result->report.interrupted);
}

// Ctrl-C during the rolling apply of the other tuning: it is not drilled, and the plan's goes
// back on.
TEST_F(CompareTest, AStopDuringTheSwitchDrillsNothingMoreAndSwitchesBack) {
  RecordingSwitch tunings;
  auto result = drill_compared(plan_, {TuningProfile::kKubeadmGuide}, tunings, drill(), progress,
                               [&tunings] { return !tunings.applied.empty(); });
  ASSERT_TRUE(result);
  EXPECT_EQ(drilled.size(), 1u);
  ASSERT_EQ(tunings.applied.size(), 2u);
  EXPECT_EQ(tunings.applied[1], plan_.tuning);
  EXPECT_TRUE(result->report.compared.empty());
  EXPECT_TRUE(result->report.interrupted);
}

TEST_F(CompareTest, AProfileWhoseTimingsAreThePlansIsRefused) {
  model::Cluster guide = plan_;
  guide.tuning = model::Tuning::of(TuningProfile::kKubeadmGuide);
  RecordingSwitch tunings;
  EXPECT_FALSE(
      drill_compared(guide, {TuningProfile::kKubeadmGuide}, tunings, drill(), progress, no_stop));
  EXPECT_TRUE(tunings.applied.empty());
  EXPECT_TRUE(drilled.empty());
  // The fast profile beside a plan that changes some of its timings compares something.
  EXPECT_TRUE(validate_comparison(plan_, {TuningProfile::kFast}));
}

}  // namespace
}  // namespace zerospof::drill
