// The drill's judgement on made-up records: outages, lost writes and verdicts, each rule on the
// smallest record that shows it.
#include "drill/judge.h"

#include <gtest/gtest.h>

#include <functional>

namespace zerospof::drill {
namespace {

Attempt ok(double start, double end) { return {0, start, end, AttemptOutcome::kOk}; }
Attempt failed(double start, double end) { return {0, start, end, AttemptOutcome::kFailed}; }

TEST(LongestOutageTest, TheGapAcrossTheFaultIsMeasuredFromTheFaultToTheNextSuccess) {
  // Successes every 100 ms, then failures from 1000 to 3000, then successes again.
  std::vector<Attempt> attempts;
  for (double t = 0; t < 1000; t += 100) attempts.push_back(ok(t, t + 20));
  for (double t = 1000; t < 3000; t += 100) attempts.push_back(failed(t, t + 50));
  for (double t = 3000; t < 4000; t += 100) attempts.push_back(ok(t, t + 20));
  // The fault at 1050: the last success ended at 920, so the gap counts from 1050 to 3020.
  auto outage = longest_outage(attempts, 1050, 4000);
  ASSERT_TRUE(outage);
  EXPECT_DOUBLE_EQ(outage->ms, 3020 - 1050);
  EXPECT_DOUBLE_EQ(outage->from_ms, 1050);
}

TEST(LongestOutageTest, NoSuccessAfterTheFaultIsAnOutageToTheEndOfTheWindow) {
  std::vector<Attempt> attempts{ok(0, 10), failed(100, 200), failed(300, 400)};
  EXPECT_DOUBLE_EQ(longest_outage(attempts, 50, 5000)->ms, 4950);
  EXPECT_DOUBLE_EQ(longest_outage(attempts, 50, 5000)->from_ms, 50);
  EXPECT_FALSE(longest_outage({}, 0, 100));
}

TEST(LongestOutageTest, AConflictIsAnAnswerSoTheServiceWasThere) {
  // Between 100 and 1000 every write lost a race (409, a failed comparison): no outage there.
  std::vector<Attempt> attempts{ok(0, 10)};
  for (double t = 100; t < 1000; t += 100)
    attempts.push_back({0, t, t + 20, AttemptOutcome::kConflict});
  attempts.push_back(ok(1000, 1010));
  // The longest gap is between two conflicts, 100 ms; counted as failures it would be 960 ms.
  EXPECT_DOUBLE_EQ(longest_outage(attempts, 50, 1010)->ms, 100);
}

TEST(LongestOutageTest, TheDrillsOwnPausesAreTakenOutOfEachGap) {
  // Successes up to 1000, none until 3000 (the drill paused from 1200 to 2700), then every
  // 100 ms until 4000 but for a gap from 3500 to 4600 in which it ran.
  std::vector<Attempt> attempts{ok(900, 1000), ok(2990, 3000), ok(3490, 3500), ok(4590, 4600)};
  std::vector<Pause> pauses{{.from_ms = 1200, .to_ms = 2700}};
  auto outage = longest_outage(attempts, 950, 5000, pauses);
  ASSERT_TRUE(outage);
  EXPECT_DOUBLE_EQ(outage->ms, 2000);  // the longest as measured, 1000 to 3000
  EXPECT_DOUBLE_EQ(outage->from_ms, 1000);
  // Without the pause that gap is 500 ms; the 1,100 ms gap that had no pause is what remains.
  EXPECT_DOUBLE_EQ(outage->unpaused_ms, 1100);
  EXPECT_DOUBLE_EQ(paused_within(pauses, 0, 1500), 300);
  EXPECT_DOUBLE_EQ(paused_within(pauses, 2000, 9000), 700);
}

history::Operation cas(std::string key, std::string expected, std::string value,
                       history::Outcome outcome = history::Outcome::kOk) {
  return {.function = history::Function::kCompareAndSet,
          .outcome = outcome,
          .key = std::move(key),
          .argument = std::move(value),
          .expected = std::move(expected)};
}

TEST(LostWritesTest, AWriteNobodyBuiltOnThatIsNotTheFinalValueIsLost) {
  history::History history;
  // a -> b -> c acknowledged, then d written over "b" again: c was overwritten unseen.
  history.operations = {cas("k", "a", "b"), cas("k", "b", "c"), cas("k", "b", "d")};
  EXPECT_EQ(lost_writes(history, {{"k", "d"}}), 1u);
  // Had the last write been built on c, nothing would be lost.
  history.operations.back() = cas("k", "c", "d");
  EXPECT_EQ(lost_writes(history, {{"k", "d"}}), 0u);
}

TEST(LostWritesTest, AWriteOfUnknownOutcomeBuildingOnAValueCountsAndAFailedOneDoesNot) {
  history::History history;
  history.operations = {cas("k", "a", "b"), cas("k", "b", "c", history::Outcome::kUnknown),
                        cas("k", "x", "y"), cas("k", "y", "z", history::Outcome::kFailed)};
  // b was built on by the unknown write; y only by a failed one, and it is not final.
  EXPECT_EQ(lost_writes(history, {{"k", "c"}}), 1u);
}

ScenarioResult passing() {
  ScenarioResult result;
  result.failover_path_seen = true;
  result.failover_path = "the VIP moves";
  ProbeRecord probe{.name = "api-write", .unavailable_ms = 400};
  result.probes = {probe};
  result.linearizable = true;
  result.healthy_ms = 10000;
  result.etcd_hashes_equal = true;
  result.predicted_outage_ms = 1000;
  return result;
}

TEST(JudgeTest, EveryCriterionMetPasses) {
  EXPECT_EQ(judge(passing(), 1000).verdict, Verdict::kPass);
}

TEST(JudgeTest, AnOutageOverTheBudgetFailsAndSaysByHowMuch) {
  ScenarioResult result = passing();
  result.probes[0].unavailable_ms = 4050;
  Judgement judgement = judge(result, 1000);
  EXPECT_EQ(judgement.verdict, Verdict::kFail);
  ASSERT_EQ(judgement.reasons.size(), 1u);
  EXPECT_EQ(judgement.reasons[0], "api-write unavailable 4.05 s, over the budget of 1.00 s");
  ASSERT_EQ(judgement.findings.size(), 1u);  // the prediction was contradicted
}

TEST(JudgeTest, AnOutageSaysWhetherItCameWithTheFaultOrAfterTheHeal) {
  // A host that rejoins can stall the cluster longer than its failure did: the reason must say
  // which part of the scenario the outage belongs to.
  ScenarioResult result = passing();
  result.fault_start_ms = 10000;
  result.fault_end_ms = 40000;
  result.probes[0].unavailable_ms = 1210;
  result.probes[0].unavailable_from_ms = 50700;
  Judgement judgement = judge(result, 1100);
  ASSERT_EQ(judgement.reasons.size(), 1u);
  EXPECT_EQ(judgement.reasons[0],
            "api-write unavailable 1.21 s from 10.7 s after the heal, over the budget of 1.10 s");
  result.probes[0].unavailable_from_ms = 10300;
  EXPECT_EQ(judge(result, 1100).reasons[0],
            "api-write unavailable 1.21 s from 0.3 s into the fault, over the budget of 1.10 s");
}

TEST(JudgeTest, AnOutageOverTheBudgetOnlyWhileTheDrillWasPausedIsInconclusive) {
  ScenarioResult result = passing();
  result.probes[0].unavailable_ms = 2100;
  result.probes[0].unavailable_unpaused_ms = 600;
  Judgement judgement = judge(result, 1000);
  EXPECT_EQ(judgement.verdict, Verdict::kInconclusive);
  ASSERT_EQ(judgement.reasons.size(), 1u);
  EXPECT_NE(judgement.reasons[0].find("without the 1.50 s the drill itself was paused"),
            std::string::npos)
      << judgement.reasons[0];
  EXPECT_TRUE(judgement.findings.empty());
  // Still over the budget without the pauses: a fail.
  result.probes[0].unavailable_unpaused_ms = 1400;
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kFail);
}

TEST(JudgeTest, AWatchRefusedWith410AndListedAgainIsAFindingNotAFailure) {
  ScenarioResult result = passing();
  result.watch = WatchCheck{.acknowledged = 30, .expired = 1, .relisted = 2};
  Judgement judgement = judge(result, 1000);
  EXPECT_EQ(judgement.verdict, Verdict::kPass);
  ASSERT_EQ(judgement.findings.size(), 1u);
  EXPECT_NE(judgement.findings[0].find("1 watch(es) refused with 410 Gone and listed again; 2 "
                                       "acknowledged write(s) reached the client only as the "
                                       "listed state"),
            std::string::npos)
      << judgement.findings[0];
  // A gap nothing signalled fails.
  result.watch = WatchCheck{.delivered = false, .acknowledged = 30, .missing = 1};
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kFail);
}

TEST(JudgeTest, AFailoverPathNotSeenIsInconclusiveNeverAPass) {
  ScenarioResult result = passing();
  result.failover_path_seen = false;
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kInconclusive);
}

TEST(JudgeTest, LostWritesANonLinearizableHistoryOrNoRecoveryFail) {
  ScenarioResult lost = passing();
  lost.acknowledged_writes_lost = 2;
  EXPECT_EQ(judge(lost, 1000).verdict, Verdict::kFail);
  ScenarioResult stale = passing();
  stale.linearizable = false;
  EXPECT_EQ(judge(stale, 1000).verdict, Verdict::kFail);
  ScenarioResult unhealthy = passing();
  unhealthy.healthy_ms = 0;
  EXPECT_EQ(judge(unhealthy, 1000).verdict, Verdict::kFail);
  ScenarioResult diverged = passing();
  diverged.etcd_hashes_equal = false;
  EXPECT_EQ(judge(diverged, 1000).verdict, Verdict::kFail);
  // A failure wins over a doubt.
  diverged.failover_path_seen = false;
  EXPECT_EQ(judge(diverged, 1000).verdict, Verdict::kFail);
}

TEST(JudgeTest, PodsThatMovedLaterThanTheirBudgetFail) {
  ScenarioResult result = passing();
  result.predicted_reschedule_ms = 40000;
  result.pods_rescheduled_ms = 31500;
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kPass);
  result.pods_rescheduled_ms = 45000;
  Judgement judgement = judge(result, 1000);
  EXPECT_EQ(judgement.verdict, Verdict::kFail);
  ASSERT_EQ(judgement.reasons.size(), 1u);
  EXPECT_EQ(judgement.reasons[0],
            "the pods ran elsewhere 45.0 s after the fault, over the budget of 40.0 s");
}

// A node that had to stay Ready turning NotReady is a false failover: failed, once per node. The
// fault's own target turning NotReady is its failover path, not a failure.
TEST(JudgeTest, ANodeTheFaultDidNotHitTurningNotReadyFails) {
  ScenarioResult result = passing();
  result.fault_start_ms = 1000;
  result.must_stay_ready = {"micklethefickle", "cloudserver1"};
  auto node_event = [](double at_ms, const std::string& node, bool ready) {
    return Event{.at_ms = at_ms,
                 .kind = "node",
                 .text = "node " + node + (ready ? " Ready" : " NotReady"),
                 .node = node,
                 .ready = ready};
  };
  result.events = {node_event(3000, "blackboar", false), node_event(9000, "blackboar", true)};
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kPass);
  result.events.push_back(node_event(22000, "cloudserver1", false));
  result.events.push_back(node_event(25000, "cloudserver1", true));
  result.events.push_back(node_event(31000, "cloudserver1", false));
  Judgement judgement = judge(result, 1000);
  EXPECT_EQ(judgement.verdict, Verdict::kFail);
  ASSERT_EQ(judgement.reasons.size(), 1u);
  EXPECT_EQ(judgement.reasons[0],
            "node cloudserver1 turned NotReady 21.0 s into the fault though the fault did not "
            "hit it: a false failover (its pods are evicted for nothing)");
}

// Seen on the lab: a dead worker NotReady for 18 s and never tainted for eviction (upstream's
// eviction limiter stuck after the cluster's start). The verdict says which step did not come,
// per target, and only for a scenario whose pods had to move and did not.
TEST(JudgeTest, PodsThatNeverMovedSayWhetherTheNodeWasNotReadyAndTainted) {
  ScenarioResult result = passing();
  result.failover_path_seen = false;
  result.failover_path = "its pods evicted and running on other nodes";
  result.predicted_reschedule_ms = 16000;
  result.target_node = "cloudserver3,blackboar,";  // an empty name is nobody
  result.fault = "cloudserver3, blackboar crashed (lab kill)";
  result.fault_start_ms = 1000;
  result.fault_end_ms = 28000;
  auto event = [](double at_ms, const char* kind, const std::string& node, bool ready) {
    return Event{.at_ms = at_ms, .kind = kind, .text = "", .node = node, .ready = ready};
  };
  result.events = {event(500, "node", "blackboar", false),  // before the fault: not its doing
                   event(10300, "node", "cloudserver3", false),
                   event(29000, "taint", "cloudserver3", false),  // after the heal: too late
                   event(30000, "node", "blackboar", false)};
  Judgement judgement = judge(result, 1000);
  EXPECT_EQ(judgement.verdict, Verdict::kInconclusive);
  ASSERT_EQ(judgement.reasons.size(), 3u);
  EXPECT_TRUE(judgement.reasons[1].starts_with(
      "node cloudserver3 turned NotReady 9.3 s into the fault and the node controller never "
      "tainted it for eviction (NoExecute) before the heal: it was not evicting"))
      << judgement.reasons[1];
  EXPECT_EQ(judgement.reasons[2], "node blackboar did not turn NotReady before the heal");

  result.events = {
      event(10300, "node", "cloudserver3", false), event(11200, "taint", "cloudserver3", false),
      event(10400, "node", "blackboar", false), event(11300, "taint", "blackboar", false)};
  EXPECT_TRUE(evictions_not_started(result).empty());
  EXPECT_EQ(judge(result, 1000).reasons.size(), 1u);  // the path not seen, and no guess why

  result.events.clear();
  EXPECT_EQ(judge(result, 1000).reasons.size(), 3u);
  result.fault.clear();  // never injected: that is the reason, not the nodes
  EXPECT_EQ(judge(result, 1000).reasons.size(), 1u);
  result.fault = "cloudserver3, blackboar crashed (lab kill)";
  result.predicted_reschedule_ms = 0;  // not a scenario whose pods move: nothing to explain
  EXPECT_EQ(judge(result, 1000).reasons.size(), 1u);
}

// A scenario the operator cut short: its timings are not judged (a pass is not earned, pods
// with no time to move are no failure), a broken promise about the data still fails it.
TEST(JudgeTest, AnInterruptedScenarioIsInconclusiveUnlessItsDataBroke) {
  ScenarioResult result = passing();
  result.fault_start_ms = 2000;
  Judgement passed = interrupted(judge(result, 1000), result, 5500);
  EXPECT_EQ(passed.verdict, Verdict::kInconclusive);
  ASSERT_FALSE(passed.reasons.empty());
  EXPECT_EQ(passed.reasons[0],
            "interrupted: the operator stopped the drill 3.5 s into the fault, which was healed "
            "then; it ran shorter than asked, so its timings neither pass nor fail it");
  // Pods that moved later than their budget and an outage over it fail a whole scenario, not
  // one cut short.
  result.predicted_reschedule_ms = 15000;
  result.pods_rescheduled_ms = 16000;
  result.probes[0].unavailable_ms = 3000;
  ASSERT_EQ(judge(result, 1000).verdict, Verdict::kFail);
  EXPECT_EQ(interrupted(judge(result, 1000), result, 5500).verdict, Verdict::kInconclusive);
  for (auto broken : std::vector<std::function<void(ScenarioResult&)>>{
           [](ScenarioResult& r) { r.healthy_ms = 0; },
           [](ScenarioResult& r) { r.acknowledged_writes_lost = 1; },
           [](ScenarioResult& r) { r.linearizable = false; },
           [](ScenarioResult& r) { r.etcd_hashes_equal = false; },
           [](ScenarioResult& r) { r.watch = WatchCheck{.delivered = false}; }}) {
    ScenarioResult lost = passing();
    broken(lost);
    Judgement judgement = interrupted(judge(lost, 1000), lost, 5500);
    EXPECT_EQ(judgement.verdict, Verdict::kFail);
    // The judge's own reasons are kept after the interruption.
    EXPECT_GE(judgement.reasons.size(), 2u);
  }
}

TEST(JudgeTest, AnUndecidedHistoryIsInconclusive) {
  ScenarioResult result = passing();
  result.linearizable.reset();
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kInconclusive);
}

// Status must see a host that is down or a service that is stopped; a killed process that systemd
// restarts may be back before status asks, so it is not judged.
TEST(StatusFindingTest, AFaultStatusShowedAsHealthyIsAFinding) {
  status::ClusterStatus during{.health = status::Health::kDegraded};
  during.nodes = {{.name = "cloudserver1", .health = status::Health::kDown},
                  {.name = "cloudserver2", .health = status::Health::kHealthy}};
  EXPECT_EQ(status_finding(FaultKind::kHostDown, {"cloudserver1"}, during), std::nullopt);
  auto unseen = status_finding(FaultKind::kHostDown, {"cloudserver2"}, during);
  ASSERT_TRUE(unseen.has_value());
  EXPECT_EQ(*unseen,
            "status said cloudserver2 healthy during the fault (host-down on cloudserver2)");
  // The target not healthy, but the cluster as a whole said healthy: still a finding.
  during.health = status::Health::kHealthy;
  auto whole = status_finding(FaultKind::kStopService, {"cloudserver1"}, during);
  ASSERT_TRUE(whole.has_value());
  EXPECT_NE(whole->find("status said the cluster healthy"), std::string::npos) << *whole;
  EXPECT_EQ(status_finding(FaultKind::kKillProcess, {"cloudserver2"}, during), std::nullopt);
}

}  // namespace
}  // namespace zerospof::drill
