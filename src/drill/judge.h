// From what a scenario recorded to its verdict: the outage each probe saw, the acknowledged
// writes lost, and pass / fail / inconclusive with every reason. Pure functions of plain data,
// so each rule is tested on made-up records (tests/drill/judge_test.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drill/record.h"
#include "drill/scenario.h"
#include "status/status.h"

namespace zerospof::drill {

struct Outage {
  double ms = 0;       // how long
  double from_ms = 0;  // when it began, on the drill's clock
  // The longest gap once the windows in which the drill itself was paused are taken out of each
  // (at most ms; another gap than the longest may give it).
  double unpaused_ms = 0;
};

// The longest time without a successful attempt that overlaps [fault_start, until]: from one
// success's end to the next's, counting from fault_start when the last success before it is
// older, and up to `until` when none came after. nullopt when there are no attempts at all.
std::optional<Outage> longest_outage(const std::vector<Attempt>& attempts, double fault_start_ms,
                                     double until_ms, const std::vector<Pause>& pauses = {});

// How much of [from_ms, to_ms] the drill spent paused.
double paused_within(const std::vector<Pause>& pauses, double from_ms, double to_ms);

// When an outage began, for people: "0.3 s into the fault" or "10.7 s after the heal" (a host
// that rejoins can cost more than the failover did, and the two call for different fixes).
std::string when_in_scenario(const ScenarioResult& result, double at_ms);

// Acknowledged compare-and-sets whose value nobody built on: not the final value of its key, and
// not the expected value of any later write that succeeded or may have. With every write a
// compare-and-set on what its client read, a write that vanished like this was overwritten by one
// that never saw it: a lost write. `final_values` maps key to the value read at the end.
std::size_t lost_writes(const history::History& history,
                        const std::vector<std::pair<std::string, std::string>>& final_values);

// Why a dead node's pods were not seen moving, one sentence per target node of a
// pods-rescheduled scenario (`target_node` "A,B"): it never turned NotReady before the heal, or it
// did and the node controller never tainted it for eviction (NoExecute), so nothing could evict
// its pods. Empty when each target was tainted.
std::vector<std::string> evictions_not_started(const ScenarioResult& result);

struct Judgement {
  Verdict verdict = Verdict::kInconclusive;
  std::vector<std::string> reasons;
  std::vector<std::string> findings;
};

// Pass needs: the fault took effect and its failover path was seen; every probe's outage
// within the budget; a dead worker's pods running elsewhere within theirs; no acknowledged write
// lost; the history linearizable; the cluster healthy again; the etcd members' data equal. A
// failover path not seen (a killed leader that stayed leader) or an undecided history makes it
// inconclusive, unless something failed outright.
Judgement judge(const ScenarioResult& result, double budget_ms);

// An interrupted scenario (the operator stopped the drill in its fault) ran shorter than asked:
// its timings neither pass nor fail it (pods that had no time to move, a failover cut short);
// only a broken promise about the data does (a lost write, a history that is not linearizable, a
// watch that dropped a write, members holding different data), or a cluster not healthy again
// within the recovery budget, which is waited for in full after any heal. So `judged` becomes
// fail for those and inconclusive otherwise, the interruption its first reason.
Judgement interrupted(Judgement judged, const ScenarioResult& result, double stopped_at_ms);

// What status said during the fault, against the fault: a host down or a service stopped that
// status shows as healthy is a finding (status would have told an operator nothing was wrong).
// nullopt when status saw it, or for faults that systemd repairs by itself (a killed process).
std::optional<std::string> status_finding(FaultKind fault, const std::vector<std::string>& targets,
                                          const status::ClusterStatus& during);

}  // namespace zerospof::drill
