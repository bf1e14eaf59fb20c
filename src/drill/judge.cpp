#include "drill/judge.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>

#include "util/strings.h"

namespace zerospof::drill {

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

std::optional<Outage> longest_outage(const std::vector<Attempt>& attempts, double fault_start_ms,
                                     double until_ms, const std::vector<Pause>& pauses) {
  if (attempts.empty()) return std::nullopt;
  std::vector<double> successes;
  for (const Attempt& attempt : attempts)
    if (attempt.outcome == AttemptOutcome::kOk || attempt.outcome == AttemptOutcome::kConflict)
      successes.push_back(attempt.end_ms);
  std::sort(successes.begin(), successes.end());
  Outage longest{.ms = 0, .from_ms = fault_start_ms};
  auto gap = [&](double from, double to) {
    if (to - from > longest.ms) {
      longest.ms = to - from;
      longest.from_ms = from;
    }
    longest.unpaused_ms =
        std::max(longest.unpaused_ms, to - from - paused_within(pauses, from, to));
  };
  double previous = fault_start_ms;  // a gap that began before the fault counts from the fault
  for (double at : successes) {
    if (at <= fault_start_ms) continue;
    gap(previous, at);
    previous = at;
    if (at >= until_ms) break;
  }
  // No success between the last one and the end of the window: that is an outage too.
  gap(previous, std::max(previous, until_ms));
  return longest;
}

double paused_within(const std::vector<Pause>& pauses, double from_ms, double to_ms) {
  double paused = 0;
  for (const Pause& pause : pauses)
    paused += std::max(0.0, std::min(to_ms, pause.to_ms) - std::max(from_ms, pause.from_ms));
  return paused;
}

std::string when_in_scenario(const ScenarioResult& result, double at_ms) {
  if (result.fault_end_ms > result.fault_start_ms && at_ms >= result.fault_end_ms)
    return fmt::format("{:.1f} s after the heal", (at_ms - result.fault_end_ms) / 1000);
  return fmt::format("{:.1f} s into the fault", (at_ms - result.fault_start_ms) / 1000);
}

std::size_t lost_writes(const history::History& history,
                        const std::vector<std::pair<std::string, std::string>>& final_values) {
  std::set<std::pair<std::string, std::string>> built_on;
  for (const auto& [key, value] : final_values) built_on.insert({key, value});
  for (const history::Operation& operation : history.operations) {
    if (operation.function != history::Function::kCompareAndSet) continue;
    if (operation.outcome == history::Outcome::kFailed) continue;
    built_on.insert({operation.key, operation.expected.value_or("")});
  }
  std::size_t lost = 0;
  for (const history::Operation& operation : history.operations) {
    if (operation.function != history::Function::kCompareAndSet ||
        operation.outcome != history::Outcome::kOk)
      continue;
    if (built_on.count({operation.key, operation.argument.value_or("")}) == 0) ++lost;
  }
  return lost;
}

std::vector<std::string> evictions_not_started(const ScenarioResult& result) {
  std::vector<std::string> out;
  const double heal_ms = result.fault_end_ms > result.fault_start_ms ? result.fault_end_ms : 1e300;
  for (const std::string& target : util::split(result.target_node, ',')) {
    if (target.empty()) continue;
    std::optional<double> not_ready_ms;
    bool tainted = false;
    for (const Event& event : result.events) {
      if (event.node != target || event.at_ms < result.fault_start_ms || event.at_ms > heal_ms)
        continue;
      if (event.kind == "node" && !event.ready && !not_ready_ms) not_ready_ms = event.at_ms;
      if (event.kind == "taint") tainted = true;
    }
    if (!not_ready_ms)
      out.push_back(fmt::format("node {} did not turn NotReady before the heal", target));
    else if (!tainted)
      out.push_back(fmt::format(
          "node {} turned NotReady {} and the node controller never tainted it for eviction "
          "(NoExecute) before the heal: it was not evicting (a known cause: a controller-manager "
          "run with --node-eviction-rate=1 stops evicting after any disruption, even the one at "
          "every cluster start, until its leader changes, Kubernetes issue 104639; zerospof "
          "renders 2 for `fast`: apply the plan again to roll the controller-managers)",
          target, when_in_scenario(result, *not_ready_ms)));
  }
  return out;
}

Judgement judge(const ScenarioResult& result, double budget_ms) {
  Judgement out;
  bool failed = false, unsure = false;
  auto fail = [&](std::string reason) {
    failed = true;
    out.reasons.push_back(std::move(reason));
  };
  auto doubt = [&](std::string reason) {
    unsure = true;
    out.reasons.push_back(std::move(reason));
  };
  if (!result.failover_path_seen) {
    doubt(fmt::format("the failover path was not seen ({}): the scenario did not test it",
                      result.failover_path));
    if (result.predicted_reschedule_ms > 0 && !result.fault.empty())  // the fault took hold
      for (std::string& why : evictions_not_started(result)) doubt(std::move(why));
  }
  for (const ProbeRecord& probe : result.probes) {
    if (!probe.judged) continue;
    if (!probe.unavailable_ms) {
      doubt(probe.name + " made no request");
      continue;
    }
    // What the drill measured while it could not run itself measured the observer, not the
    // cluster: judged without it.
    const double charged = probe.unavailable_unpaused_ms.value_or(*probe.unavailable_ms);
    if (*probe.unavailable_ms > budget_ms) {
      std::string over =
          fmt::format("{} unavailable {:.2f} s{}, over the budget of {:.2f} s", probe.name,
                      *probe.unavailable_ms / 1000,
                      probe.unavailable_from_ms
                          ? " from " + when_in_scenario(result, *probe.unavailable_from_ms)
                          : "",
                      budget_ms / 1000);
      if (charged > budget_ms)
        fail(std::move(over));
      else
        doubt(
            fmt::format("{}; without the {:.2f} s the drill itself was paused (the machine "
                        "running it was starved) it is {:.2f} s: the cluster's share cannot be "
                        "told",
                        over, (*probe.unavailable_ms - charged) / 1000, charged / 1000));
    }
    if (charged > result.predicted_outage_ms + 1000 && result.predicted_outage_ms > 0)
      out.findings.push_back(fmt::format(
          "{}: measured {:.2f} s without success where the tuning predicts {:.2f} s ({})",
          probe.name, *probe.unavailable_ms / 1000, result.predicted_outage_ms / 1000,
          result.predicted_reason));
  }
  if (result.predicted_reschedule_ms > 0 && result.pods_rescheduled_ms &&
      *result.pods_rescheduled_ms > result.predicted_reschedule_ms)
    fail(fmt::format("the pods ran elsewhere {:.1f} s after the fault, over the budget of {:.1f} s",
                     *result.pods_rescheduled_ms / 1000, result.predicted_reschedule_ms / 1000));
  if (result.acknowledged_writes_lost > 0)
    fail(fmt::format("{} acknowledged writes lost", result.acknowledged_writes_lost));
  if (!result.linearizable)
    doubt("the linearizability check did not decide: " + result.linearizability_detail);
  else if (!*result.linearizable)
    fail("the history is not linearizable: " + result.linearizability_detail);
  if (result.watch && !result.watch->delivered)
    fail(fmt::format("the watch did not deliver every acknowledged write once, in order: {}",
                     fmt::join(result.watch->problems, "; ")));
  // Allowed by the API (the client is told, lists again and loses no state), but every informer
  // of the cluster pays a relist and an event-driven controller misses the events: said, not
  // failed.
  if (result.watch && result.watch->expired > 0)
    out.findings.push_back(fmt::format(
        "the watch could not resume after the failover: {} watch(es) refused with 410 Gone and "
        "listed again; {} acknowledged write(s) reached the client only as the listed state",
        result.watch->expired, result.watch->relisted));
  // A node the fault did not hit that turned NotReady: the node controller evicts its pods for
  // nothing (a false failover). Once per node.
  std::set<std::string> turned;
  for (const Event& event : result.events)
    if (event.kind == "node" && !event.ready &&
        std::count(result.must_stay_ready.begin(), result.must_stay_ready.end(), event.node) &&
        turned.insert(event.node).second)
      fail(
          fmt::format("node {} turned NotReady {} though the fault did not hit it: a false "
                      "failover (its pods are evicted for nothing)",
                      event.node, when_in_scenario(result, event.at_ms)));
  if (result.healthy_ms <= 0) fail("the cluster was not healthy again within the recovery budget");
  if (!result.etcd_hashes_equal)
    doubt("the etcd members' hashes could not be compared");
  else if (!*result.etcd_hashes_equal)
    fail("the etcd members hold different data after the scenario");
  out.verdict = failed ? Verdict::kFail : unsure ? Verdict::kInconclusive : Verdict::kPass;
  return out;
}

Judgement interrupted(Judgement judged, const ScenarioResult& result, double stopped_at_ms) {
  // The recovery is waited for in full after any heal, so a cluster not healthy again is no
  // effect of the shorter fault either.
  const bool broken = result.acknowledged_writes_lost > 0 || result.linearizable == false ||
                      (result.watch && !result.watch->delivered) ||
                      result.etcd_hashes_equal == false || result.healthy_ms <= 0;
  judged.verdict = broken ? Verdict::kFail : Verdict::kInconclusive;
  judged.reasons.insert(
      judged.reasons.begin(),
      fmt::format("interrupted: the operator stopped the drill {:.1f} s into the fault, which was "
                  "healed then; it ran shorter than asked, so its timings neither pass nor fail it",
                  (stopped_at_ms - result.fault_start_ms) / 1000));
  return judged;
}

std::optional<std::string> status_finding(FaultKind fault, const std::vector<std::string>& targets,
                                          const status::ClusterStatus& during) {
  if (fault != FaultKind::kHostDown && fault != FaultKind::kStopService) return std::nullopt;
  std::vector<std::string> unseen;
  for (const auto& target : targets)
    for (const auto& node : during.nodes)
      if (node.name == target && node.health == status::Health::kHealthy) unseen.push_back(target);
  if (unseen.empty() && during.health != status::Health::kHealthy) return std::nullopt;
  return fmt::format("status said {} healthy during the fault ({} on {})",
                     unseen.empty() ? "the cluster" : fmt::format("{}", fmt::join(unseen, ", ")),
                     to_string(fault), fmt::join(targets, ", "));
}

}  // namespace zerospof::drill
