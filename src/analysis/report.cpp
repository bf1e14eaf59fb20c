// One-line texts for scenarios and verdicts, shared by the text and JSON reports.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/analysis.h"

namespace zerospof::analysis {

std::string Report::scenario_name(const Scenario& scenario) const {
  std::vector<std::string> names;
  for (int domain : scenario.domains) names.push_back(domain_names[domain]);
  const char* unit = zones ? "zone" : "node";
  switch (scenario.kind) {
    case ScenarioKind::kBaseline:
      return "no failure";
    case ScenarioKind::kDomainsDown:
      return fmt::format("{} {} down",
                         scenario.domains.size() == 1 ? unit : std::string(unit) + "s",
                         fmt::join(names, "+"));
    case ScenarioKind::kComponentStopped:
      return fmt::format("{} stopped on {}", to_string(scenario.component),
                         node_names[scenario.node]);
    case ScenarioKind::kPartition: {
      std::vector<std::string> other;
      for (size_t d = 0; d < domain_names.size(); ++d)
        if (std::find(scenario.domains.begin(), scenario.domains.end(), static_cast<int>(d)) ==
            scenario.domains.end())
          other.push_back(domain_names[d]);
      return fmt::format("partition {} | {}", fmt::join(names, ","), fmt::join(other, ","));
    }
    case ScenarioKind::kPowerFeedDown:
      return fmt::format("power feed {} down", power_feed_names[scenario.power_feed]);
  }
  return "?";
}

std::string Report::reason_text(const Verdict& v) const {
  switch (v.reason) {
    case Reason::kAllLive:
      return "all instances live";
    case Reason::kQuorumKept:
      return fmt::format("{} of {} members left, quorum ({}) kept", v.live, v.total, v.extra);
    case Reason::kQuorumLost:
      return fmt::format("{} of {} members left, no quorum (needs {})", v.live, v.total, v.extra);
    case Reason::kInstancesLost:
      return fmt::format("{} of {} instances left", v.live, v.total);
    case Reason::kNoInstance:
      return fmt::format("0 of {} instances left", v.total);
    case Reason::kEtcdDown:
      return "etcd has no quorum, so no apiserver is ready";
    case Reason::kApiDown:
      return v.total > 0 && v.live < v.total
                 ? fmt::format(
                       "{} of {} replicas left; the control plane is down, so nothing is "
                       "rescheduled",
                       v.live, v.total)
                 : "the API is unreachable";
    case Reason::kLeaderReelected:
      return fmt::format("{} of {} instances left; a new leader is elected within the lease",
                         v.live, v.total);
    case Reason::kVipMoves:
      return fmt::format(
          "{} of {} VIP holders left; keepalived moves the VIP (seconds of failover)", v.live,
          v.total);
    case Reason::kNoVipHolder:
      return "no live node can hold the VIP";
    case Reason::kBackendsLost:
      return fmt::format(
          "{} of {} apiserver backends healthy; HAProxy closes sessions to the dead one", v.live,
          v.total);
    case Reason::kNodeLosesApi:
      return fmt::format("{} loses the API: its kubelet goes NotReady and its pods are evicted",
                         node_names[v.extra]);
    case Reason::kReplicasLost:
      return fmt::format("{} of {} replicas left; {} after rescheduling", v.live, v.total,
                         v.live_after);
    case Reason::kMayShareNode:
      return fmt::format(
          "no required spread: all {} replicas may have been on the lost node(s); {} "
          "after rescheduling",
          v.total, v.live_after);
    case Reason::kStatefulSetStuck:
      return fmt::format(
          "{} of {} replicas left; StatefulSet pods on a lost node are not replaced "
          "until it is deleted",
          v.live, v.total);
    case Reason::kNoCapacity:
      return fmt::format(
          "{} of {} replicas left; the surviving nodes lack the requested CPU or "
          "memory to reschedule the rest",
          v.live, v.total);
    case Reason::kPreempted:
      return fmt::format(
          "{} of {} replicas left, {} once the scheduler has preempted them: the surviving "
          "nodes cannot hold every request, and higher-priority pods take the room of these "
          "(priority {})",
          v.live, v.total, v.live_after, v.extra);
    case Reason::kWaitsWithoutPreempting:
      return fmt::format(
          "{} of {} replicas left, {} after rescheduling: its PriorityClass never preempts "
          "(preemptionPolicy: Never), so the rest stay Pending while lower-priority pods hold the "
          "room on the surviving nodes",
          v.live, v.total, v.live_after);
    case Reason::kCannotSchedule:
      return fmt::format(
          "{} of {} replicas left, {} after rescheduling: too few eligible nodes for "
          "the anti-affinity",
          v.live, v.total, v.live_after);
    case Reason::kPerNode:
      return fmt::format("per-node pods: {} of {} nodes left", v.live, v.total);
    case Reason::kVolumesDegraded:
      return fmt::format("a volume may keep {} of {} replicas (needs {}); {} after rebuild", v.live,
                         v.total, v.extra, v.live_after);
    case Reason::kVolumesLost:
      return fmt::format("a volume may keep {} of {} replicas (needs {}): unavailable", v.live,
                         v.total, v.extra);
    case Reason::kReflectorsLost:
      return fmt::format("{} of {} route reflectors left", v.live, v.total);
    case Reason::kNoReflector:
      return fmt::format(
          "0 of {} route reflectors left: routes are withdrawn after the graceful "
          "restart window",
          v.total);
    case Reason::kPartitionMinority:
      return "clients on the side without etcd quorum lose the API";
    case Reason::kVipSplitBrain:
      return "both sides elect a VRRP master and claim the VIP; the minority side's has no "
             "ready apiserver";
    case Reason::kWebhookDegraded:
      return fmt::format("{} of {} pods behind it live; writes are still admitted", v.live,
                         v.total);
    case Reason::kWebhookDown:
      return fmt::format(
          "{} of {} pods behind it live, {} after rescheduling: the API rejects {} until one "
          "is ready",
          v.live, v.total, v.live_after, services[v.extra].blocks);
  }
  return "?";
}

}  // namespace zerospof::analysis
