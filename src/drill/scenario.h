// The drill's scenarios as data: what fault, aimed at which role (found at run time: the VIP
// holder, the etcd leader, a lease holder are whoever they are when the scenario starts), which
// failover path must be seen to run for a pass, and the outage the tuning allows. The names of
// cluster-plan.md's "Failover Testing Scenarios" are kept beside zerospof's own names.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "render/failover_budget.h"
#include "util/error.h"

namespace zerospof::drill {

enum class FaultKind {
  kStopService,   // systemctl stop; healed by systemctl start
  kKillProcess,   // SIGKILL of the unit's processes (systemd may restart it); healed by start
  kPauseProcess,  // SIGSTOP (a grey failure: sockets open, no answers); healed by SIGCONT
  kHostDown,      // a whole host: crashed (lab), isolated or rebooted (fault.h, HostDownMethod)
  kPartition,     // nftables drops between two groups of nodes; healed by deleting the table
};
const char* to_string(FaultKind kind);

enum class Target {
  kVipHolder,                // the node holding the API VIP (in local-proxy mode: the first
                             // control-plane node)
  kPrimary,                  // cluster-plan.md's primary control-plane node: the VIP holder,
                             // made etcd's leader too before the fault (etcdctl move-leader), so
                             // that one fault costs a VRRP takeover and an election at once
  kEtcdLeader,               // the etcd member that leads
  kSchedulerLeader,          // the holder of the kube-scheduler lease
  kControllerManagerLeader,  // the holder of the kube-controller-manager lease
  kVipHolderInMinority,      // partition: the VIP holder and one other node against the rest
  kWorkerWithProbePod,       // a node with no control-plane or etcd role that runs a pod of
                             // the drill's pod probe
  kStorageNodeWithProbePod,  // the same, among the nodes with the storage role
  kGivenSide,                // partition: the nodes the scenario names (Scenario::side)
};
const char* to_string(Target target);

// What must be seen to happen for the scenario to count as a real test of its failover path.
enum class FailoverPath {
  kVipMoves,           // another node holds the VIP afterwards
  kVipStays,           // the VIP did not move (HAProxy routed around the dead apiserver)
  kVipTakenOver,       // another node holds the VIP too (the target may keep it for a while)
  kEtcdLeaderChanges,  // another member leads
  kVipMovesAndEtcdLeaderChanges,  // both: the primary's two roles taken over
  kLeaseChanges,                  // the lease has another holder
  kFaultTookEffect,               // only that the fault was in place (the unit was down or stopped)
  kPodsRescheduled,  // the target's pods evicted and every replica ready on other nodes
};
const char* to_string(FailoverPath path);

struct Scenario {
  std::string name;       // zerospof's name, e.g. "apiserver-killed"
  std::string plan_name;  // cluster-plan.md's scenario, "" when it has none
  std::string description;
  FaultKind fault = FaultKind::kStopService;
  Target target = Target::kVipHolder;
  std::string unit;  // the service for service faults
  FailoverPath path = FailoverPath::kFaultTookEffect;
  int hosts = 1;                  // how many nodes of the target kind the fault takes down at once
  std::vector<std::string> side;  // kGivenSide: the nodes cut off from the others
  bool side_has_control_plane = false;  // kGivenSide: an etcd member or apiserver among them
};

// Every scenario zerospof knows, in a stable order.
const std::vector<Scenario>& catalogue();
const Scenario* find_scenario(const std::string& name);

// Bipartitions as scenarios, the splits `zerospof check` judges: "partition:A+B" cuts nodes A
// and B off from the rest of `cluster`. The path to see is chosen by the side that keeps etcd's
// quorum: when the VIP holder is cut off from it, the VIP must move; otherwise it stays.
inline constexpr const char* kPartitionPrefix = "partition:";
util::Result<Scenario> partition_scenario(const std::string& name, const model::Cluster& cluster);
// Every bipartition of the cluster's nodes once, the smaller side named (on a tie, the side
// without the last node), smaller sides first: 15 for 5 nodes.
std::vector<Scenario> partition_scenarios(const model::Cluster& cluster);
// Whether the side of `vip_holder` keeps a majority of the etcd members when `side` is cut off.
bool holder_keeps_quorum(const Scenario& scenario, const model::Cluster& cluster,
                         const std::string& vip_holder);
// The nodes that must stay Ready while `scenario` hits `targets`: every other node; in a
// partition (`targets` one side), the side that keeps a majority of the etcd members, the other
// losing the API by design (neither, when no side keeps one).
std::vector<std::string> nodes_that_must_stay_ready(const Scenario& scenario,
                                                    const model::Cluster& cluster,
                                                    const std::vector<std::string>& targets);

// How long the API may go without a successful write in `scenario`, from the tuning: the
// failover chain the scenario exercises, and never less than the promise of one second (a probe
// interval and a request timeout fit in it).
std::chrono::milliseconds outage_budget(const Scenario& scenario,
                                        const render::FailoverBudget& budget, bool kubeadm_guide);
// How long the pods of `nodes_down` dead workers may take to run elsewhere, from the tuning: the
// node controller's grace period and one of its passes, each further node's turn at the
// controller's eviction rate, the toleration, and 5 s to delete, schedule and start the
// replacements.
std::chrono::milliseconds reschedule_budget(const render::FailoverBudget& budget, int nodes_down);

// The detector chain behind that budget, for people: "VRRP takeover 0.72 s + etcd election ...".
std::string budget_reason(const Scenario& scenario, const render::FailoverBudget& budget,
                          bool kubeadm_guide);

}  // namespace zerospof::drill
