#include "drill/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "render/layout.h"

namespace zerospof::drill {

namespace layout = render::layout;

const char* to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kStopService:
      return "stop";
    case FaultKind::kKillProcess:
      return "sigkill";
    case FaultKind::kPauseProcess:
      return "sigstop";
    case FaultKind::kHostDown:
      return "host-down";
    case FaultKind::kPartition:
      return "partition";
  }
  return "?";
}

const char* to_string(Target target) {
  switch (target) {
    case Target::kVipHolder:
      return "vip-holder";
    case Target::kPrimary:
      return "primary";
    case Target::kEtcdLeader:
      return "etcd-leader";
    case Target::kSchedulerLeader:
      return "scheduler-leader";
    case Target::kControllerManagerLeader:
      return "controller-manager-leader";
    case Target::kVipHolderInMinority:
      return "vip-holder-in-minority";
    case Target::kWorkerWithProbePod:
      return "worker-with-probe-pod";
    case Target::kStorageNodeWithProbePod:
      return "storage-node-with-probe-pod";
    case Target::kGivenSide:
      return "given-side";
  }
  return "?";
}

const char* to_string(FailoverPath path) {
  switch (path) {
    case FailoverPath::kVipMoves:
      return "the VIP moves";
    case FailoverPath::kVipStays:
      return "the VIP stays (HAProxy routes around)";
    case FailoverPath::kVipTakenOver:
      return "another node takes the VIP over";
    case FailoverPath::kEtcdLeaderChanges:
      return "another etcd member leads";
    case FailoverPath::kVipMovesAndEtcdLeaderChanges:
      return "the VIP moves and another etcd member leads";
    case FailoverPath::kLeaseChanges:
      return "the lease changes hands";
    case FailoverPath::kFaultTookEffect:
      return "the fault took effect";
    case FailoverPath::kPodsRescheduled:
      return "its pods evicted and running on other nodes";
  }
  return "?";
}

const std::vector<Scenario>& catalogue() {
  static const std::vector<Scenario> scenarios{
      {"apiserver-killed", "", "SIGKILL of the kube-apiserver on the VIP holder",
       FaultKind::kKillProcess, Target::kVipHolder, layout::kApiserverUnit,
       FailoverPath::kVipStays},
      {"apiserver-stopped", "Stop kube-apiserver", "the kube-apiserver on the VIP holder stopped",
       FaultKind::kStopService, Target::kVipHolder, layout::kApiserverUnit,
       FailoverPath::kVipStays},
      {"apiserver-paused", "", "the kube-apiserver on the VIP holder SIGSTOPped (grey failure)",
       FaultKind::kPauseProcess, Target::kVipHolder, layout::kApiserverUnit,
       FailoverPath::kVipStays},
      // systemd restarts a killed HAProxy at once (Restart=always): the VIP need not move.
      {"haproxy-killed", "", "SIGKILL of HAProxy on the VIP holder (systemd restarts it)",
       FaultKind::kKillProcess, Target::kVipHolder, layout::kHaproxyUnit,
       FailoverPath::kFaultTookEffect},
      {"haproxy-stopped", "", "HAProxy stopped on the VIP holder: the VIP must move",
       FaultKind::kStopService, Target::kVipHolder, layout::kHaproxyUnit, FailoverPath::kVipMoves},
      // A frozen HAProxy still has its connections accepted (by the kernel) and answers none:
      // only the fitness loop's timeout on the stats page tells it from a slow one.
      {"haproxy-paused", "",
       "HAProxy on the VIP holder SIGSTOPped (grey failure): the VIP must move",
       FaultKind::kPauseProcess, Target::kVipHolder, layout::kHaproxyUnit, FailoverPath::kVipMoves},
      // The killed keepalived cannot give the VIP up: a backup takes it over while the target
      // still has it on its interface, until systemd starts keepalived again.
      {"keepalived-killed", "", "SIGKILL of keepalived on the VIP holder", FaultKind::kKillProcess,
       Target::kVipHolder, layout::kKeepalivedUnit, FailoverPath::kVipTakenOver},
      {"etcd-leader-killed", "", "SIGKILL of the etcd leader", FaultKind::kKillProcess,
       Target::kEtcdLeader, layout::kEtcdUnit, FailoverPath::kEtcdLeaderChanges},
      {"etcd-stopped", "Stop etcd on one node", "etcd stopped on the leader's node",
       FaultKind::kStopService, Target::kEtcdLeader, layout::kEtcdUnit,
       FailoverPath::kEtcdLeaderChanges},
      {"scheduler-leader-killed", "", "SIGKILL of the kube-scheduler that holds its lease",
       FaultKind::kKillProcess, Target::kSchedulerLeader, layout::kSchedulerUnit,
       FailoverPath::kLeaseChanges},
      {"controller-manager-leader-killed", "",
       "SIGKILL of the kube-controller-manager that holds its lease", FaultKind::kKillProcess,
       Target::kControllerManagerLeader, layout::kControllerManagerUnit,
       FailoverPath::kLeaseChanges},
      // The primary holds both roles: with etcd's leader elsewhere, the fault would cost a VRRP
      // takeover alone and the election, the longer half of the budget, would go untested.
      {"primary-down", "Stop entire control plane node",
       "the VIP holder, made etcd's leader first, goes down (--host-down: the lab's container "
       "killed, a real host isolated, or either rebooted with --allow-reboot)",
       FaultKind::kHostDown, Target::kPrimary, "", FailoverPath::kVipMovesAndEtcdLeaderChanges},
      // kwok stands in for the kubelets in the lab: the pods' start is simulated, their
      // eviction and rescheduling are the real controllers'.
      {"worker-down", "Stop worker node",
       "a worker running a pod of the drill's Deployment goes down (--host-down: the lab's "
       "container killed, a real host isolated, or either rebooted with --allow-reboot)",
       FaultKind::kHostDown, Target::kWorkerWithProbePod, "", FailoverPath::kPodsRescheduled},
      {"two-workers-down", "Stop multiple worker nodes",
       "two workers running pods of the drill's Deployment go down at once (--host-down: the "
       "lab's containers killed, real hosts isolated, or either rebooted with --allow-reboot)",
       FaultKind::kHostDown, Target::kWorkerWithProbePod, "", FailoverPath::kPodsRescheduled, 2},
      // Longhorn's engine cannot run in the lab: the volumes' failover is not measured, and the
      // report says so; the node's crash, its pods' eviction and rescheduling are real.
      {"storage-node-down", "Stop node with storage",
       "a storage node outside the control plane goes down (--host-down: the lab's container "
       "killed, a real host isolated, or either rebooted with --allow-reboot)",
       FaultKind::kHostDown, Target::kStorageNodeWithProbePod, "", FailoverPath::kPodsRescheduled},
      {"two-storage-nodes-down", "Stop multiple storage nodes",
       "two storage nodes outside the control plane go down at once (--host-down: the lab's "
       "containers killed, real hosts isolated, or either rebooted with --allow-reboot)",
       FaultKind::kHostDown, Target::kStorageNodeWithProbePod, "", FailoverPath::kPodsRescheduled,
       2},
      {"partition-2-3", "Partition network, then rejoin",
       "the VIP holder and one other node cut off from the other three, then rejoined",
       FaultKind::kPartition, Target::kVipHolderInMinority, "", FailoverPath::kVipMoves},
  };
  return scenarios;
}

const Scenario* find_scenario(const std::string& name) {
  for (const Scenario& scenario : catalogue())
    if (scenario.name == name) return &scenario;
  return nullptr;
}

namespace {

Scenario partition_of(std::vector<std::string> side, const model::Cluster& cluster) {
  std::vector<std::string> rest;
  for (const model::Node& node : cluster.nodes)
    if (std::find(side.begin(), side.end(), node.name) == side.end()) rest.push_back(node.name);
  Scenario scenario{kPartitionPrefix + fmt::format("{}", fmt::join(side, "+")),
                    "Partition network, then rejoin",
                    fmt::format("{} cut off from {}, then rejoined", fmt::join(side, ", "),
                                fmt::join(rest, ", ")),
                    FaultKind::kPartition,
                    Target::kGivenSide,
                    "",
                    FailoverPath::kVipStays,
                    static_cast<int>(side.size())};
  scenario.side_has_control_plane = std::any_of(side.begin(), side.end(), [&](const auto& name) {
    const model::Node* node = cluster.find_node(name);
    return node->has_role(model::Role::kControlPlane) || node->has_role(model::Role::kEtcd);
  });
  scenario.side = std::move(side);
  return scenario;
}

}  // namespace

util::Result<Scenario> partition_scenario(const std::string& name, const model::Cluster& cluster) {
  std::string_view nodes = std::string_view(name).substr(std::string_view(kPartitionPrefix).size());
  std::vector<std::string> side;
  while (!nodes.empty()) {
    std::size_t plus = nodes.find('+');
    std::string node(nodes.substr(0, plus));
    nodes = plus == std::string_view::npos ? std::string_view() : nodes.substr(plus + 1);
    if (cluster.find_node(node) == nullptr)
      return util::fail(util::Error::invalid_input(
          fmt::format("{}: the plan has no node '{}'", name, node), {},
          "name the nodes of one side with +, e.g. partition:" + cluster.nodes.front().name));
    if (std::find(side.begin(), side.end(), node) == side.end()) side.push_back(node);
  }
  if (side.empty() || side.size() >= cluster.nodes.size())
    return util::fail(util::Error::invalid_input(
        fmt::format("{}: a partition needs nodes on both sides", name), {},
        "name the nodes of one side with +, leaving at least one node on the other"));
  // In plan order, so that one split has one name.
  std::vector<std::string> ordered;
  for (const model::Node& node : cluster.nodes)
    if (std::find(side.begin(), side.end(), node.name) != side.end()) ordered.push_back(node.name);
  return partition_of(std::move(ordered), cluster);
}

std::vector<Scenario> partition_scenarios(const model::Cluster& cluster) {
  const int n = static_cast<int>(cluster.nodes.size());
  std::vector<Scenario> scenarios;
  if (n < 2 || n > 16) return scenarios;  // as check: 2^(n-1) - 1 splits
  for (int size = 1; size <= n / 2; ++size)
    for (long mask = 1; mask < (1L << n); ++mask) {
      if (__builtin_popcountl(static_cast<unsigned long>(mask)) != size) continue;
      // A tie is listed once: by the side without the last node.
      if (2 * size == n && (mask & (1L << (n - 1)))) continue;
      std::vector<std::string> side;
      for (int i = 0; i < n; ++i)
        if (mask & (1L << i)) side.push_back(cluster.nodes[i].name);
      scenarios.push_back(partition_of(std::move(side), cluster));
    }
  return scenarios;
}

namespace {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether the nodes for which `on_side` holds include a majority of the etcd members.
bool side_keeps_quorum(const model::Cluster& cluster,
                       const std::function<bool(const std::string&)>& on_side) {
  int members = 0, on_it = 0;
  for (const model::Node* member : cluster.nodes_with_role(model::Role::kEtcd)) {
    ++members;
    on_it += on_side(member->name) ? 1 : 0;
  }
  return 2 * on_it > members;
}

}  // namespace

bool holder_keeps_quorum(const Scenario& scenario, const model::Cluster& cluster,
                         const std::string& vip_holder) {
  const bool holder_cut = listed(scenario.side, vip_holder);
  return side_keeps_quorum(
      cluster, [&](const std::string& node) { return listed(scenario.side, node) == holder_cut; });
}

std::vector<std::string> nodes_that_must_stay_ready(const Scenario& scenario,
                                                    const model::Cluster& cluster,
                                                    const std::vector<std::string>& targets) {
  auto targeted = [&](const std::string& node) { return listed(targets, node); };
  const bool partition = scenario.fault == FaultKind::kPartition;
  const bool targets_keep_quorum = partition && side_keeps_quorum(cluster, targeted);
  const bool others_keep_quorum =
      partition &&
      side_keeps_quorum(cluster, [&](const std::string& node) { return !targeted(node); });
  std::vector<std::string> out;
  for (const model::Node& node : cluster.nodes) {
    const bool hit = targeted(node.name);
    const bool stays_ready = partition ? (hit ? targets_keep_quorum : others_keep_quorum) : !hit;
    if (stays_ready) out.push_back(node.name);
  }
  return out;
}

namespace {

struct Chain {
  std::chrono::milliseconds duration{0};
  std::string reason;
};

std::string seconds(std::chrono::milliseconds duration) {
  return fmt::format("{:g} s", static_cast<double>(duration.count()) / 1000);
}

Chain chain_of(const Scenario& scenario, const render::FailoverBudget& budget, bool guide) {
  using std::chrono::milliseconds;
  milliseconds takeover = budget.vip_takeover.value_or(milliseconds(0));
  milliseconds release = budget.vip_release.value_or(milliseconds(0));
  milliseconds unanswered = budget.vip_release_unanswered.value_or(milliseconds(0));
  switch (scenario.target) {
    case Target::kEtcdLeader:
      return {budget.etcd_election, "etcd election " + seconds(budget.etcd_election)};
    case Target::kSchedulerLeader:
    case Target::kControllerManagerLeader:
      return {milliseconds(0), "the API does not depend on a controller's lease"};
    case Target::kWorkerWithProbePod:
    case Target::kStorageNodeWithProbePod:
      return {milliseconds(0), "the API does not depend on a node outside the control plane"};
    case Target::kGivenSide:
      // The holder keeps the quorum (the runner makes it kVipHolderInMinority otherwise): the
      // cut-off apiservers leave HAProxy's pool, alongside an etcd election if the leader was
      // among them.
      if (!scenario.side_has_control_plane)
        return {milliseconds(0), "the API does not depend on the nodes cut off"};
      return {std::max(budget.apiserver_out_of_pool, budget.etcd_election),
              fmt::format("HAProxy drops the cut-off apiservers {} alongside an etcd election {}",
                          seconds(budget.apiserver_out_of_pool), seconds(budget.etcd_election))};
    case Target::kVipHolderInMinority:
      return {takeover + budget.etcd_election,
              fmt::format("VRRP takeover {} + etcd election {}", seconds(takeover),
                          seconds(budget.etcd_election))};
    case Target::kPrimary:
      return {std::max(takeover, budget.etcd_election),
              fmt::format("VRRP takeover {} alongside an etcd election {}", seconds(takeover),
                          seconds(budget.etcd_election))};
    case Target::kVipHolder:
      break;
  }
  if (scenario.unit == layout::kKeepalivedUnit)
    return {takeover, "a backup takes the VIP over " + seconds(takeover)};
  if (scenario.unit == layout::kHaproxyUnit && scenario.fault == FaultKind::kPauseProcess)
    return {unanswered,
            "the holder's fitness check waits for the frozen HAProxy twice, then "
            "gives the VIP up " +
                seconds(unanswered)};
  if (scenario.unit == layout::kHaproxyUnit)
    return {release, "the holder gives the VIP up " + seconds(release)};
  // The apiserver on the VIP holder: the guide's check moves the VIP, zerospof's HAProxy routes
  // around it.
  if (guide)
    return {release + budget.apiserver_out_of_pool,
            fmt::format("the guide's check moves the VIP {} after HAProxy drops it {}",
                        seconds(release), seconds(budget.apiserver_out_of_pool))};
  return {budget.apiserver_out_of_pool,
          "HAProxy drops the apiserver " + seconds(budget.apiserver_out_of_pool)};
}

}  // namespace

std::chrono::milliseconds outage_budget(const Scenario& scenario,
                                        const render::FailoverBudget& budget, bool kubeadm_guide) {
  return std::max(std::chrono::milliseconds(1000),
                  chain_of(scenario, budget, kubeadm_guide).duration);
}

std::chrono::milliseconds reschedule_budget(const render::FailoverBudget& budget, int nodes_down) {
  // The last node tainted, then its pods deleted, new ones created, scheduled and started: a
  // few seconds. (Measured: two dead nodes under the guide's 0.1/s moved 356-361 s after the
  // fault, over a budget that left the rate out.)
  return budget.node_not_ready + std::max(0, nodes_down - 1) * budget.between_node_evictions +
         budget.pods_evicted + std::chrono::seconds(5);
}

std::string budget_reason(const Scenario& scenario, const render::FailoverBudget& budget,
                          bool kubeadm_guide) {
  return chain_of(scenario, budget, kubeadm_guide).reason;
}

}  // namespace zerospof::drill
