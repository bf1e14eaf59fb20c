// The availability rule of replicated workloads (Deployments, StatefulSets, DaemonSets), from
// manifests and from what zerospof deploys. Workloads that behave the same in every scenario
// (same eligible nodes, kind, replicas and guaranteed spread) form one group, evaluated once.
//
// Worst case over placement, because the scheduler decides it: with required anti-affinity (or
// a DoNotSchedule spread) at most m replicas share a node or zone; without, all may share one.
// d lost domains therefore cost min(placed, m*d) replicas; after recovery, at most m per live
// domain can be placed again, if the control plane can reschedule and capacity allows.
// Capacity is judged per eligibility class, by priority as the scheduler does: the surviving
// nodes' CPU and memory go to the highest priority first; a level that does not fit leaves its
// displaced pods Pending, and a level whose room higher ones need is preempted.
// Internal to analysis.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/analysis.h"
#include "analysis/liveness.h"
#include "analysis/topology.h"
#include "model/workload.h"

namespace zerospof::analysis {

struct WorkloadGroup {
  int eligibility_class = 0;
  model::WorkloadKind kind = model::WorkloadKind::kDeployment;
  int replicas = 0;
  model::SpreadKey key = model::SpreadKey::kNone;
  int max_per_domain = 0;  // m: at most this many replicas share one node (or zone)
  model::ServiceClass service_class = model::ServiceClass::kDataPath;
  std::vector<int> services;
  int placement = -1;         // observed placement (Workloads::placement), -1: none
  std::int32_t priority = 0;  // the scheduler places higher first and preempts lower for room
  bool preempts = true;       // false: preemptionPolicy Never, it waits for free room instead
};

// The requests of one priority level of an eligibility class, highest level first (at one
// priority, the pods that may preempt before those that never do).
struct PriorityLevel {
  std::int32_t priority = 0;
  bool preempts = true;
  std::int64_t cpu_millicores = 0, memory_bytes = 0;
};

// What a scenario did to one eligibility class.
struct ClassState {
  int lost_nodes = 0, live_nodes = 0;  // nodes whose pods are lost / that can take pods
  int lost_zones = 0, live_zones = 0;  // zones touched by a loss / with a node that can take pods
  // What the nodes that can take pods offer (when the class's capacity is known).
  std::int64_t cpu_millicores = 0, memory_bytes = 0;
};

// What capacity leaves of one priority level after a failure: the level fits, or `share` of its
// requests find room once every level ahead of it in the scheduler's queue is placed (and, for
// a level that never preempts, beside every lower level's pods, which it cannot evict: at worst
// they all survive). Running pods of the level are evicted only by a higher level that preempts:
// `running_share` of its requests keep room against those alone (Kubernetes never preempts for
// equal priority, nor for a class with preemptionPolicy Never).
struct Room {
  bool fits = true;
  bool below_higher = false;  // a higher level that preempts requests something
  double share = 1.0;
  double running_share = 1.0;
};

class Workloads {
 public:
  // Services are appended to `services` (one per workload), groups get subject indices from
  // `first_subject` on.
  Workloads(const std::vector<model::Workload>& workloads, Topology& topology,
            std::vector<ServiceInfo>& services, int first_subject);

  const std::vector<WorkloadGroup>& groups() const { return groups_; }
  const std::vector<int>& groups_of_class(int eligibility_class) const {
    return groups_by_class_[eligibility_class];
  }
  int first_subject() const { return first_subject_; }
  // The group of the i-th workload given to the constructor.
  int group_of_workload(int workload) const { return group_of_workload_[workload]; }

  ClassState class_state(int eligibility_class, const Liveness& liveness) const;
  ClassState baseline_state(int eligibility_class) const;
  // `liveness` tells which nodes lost their pods, for a group with an observed placement.
  Verdict evaluate(int group, const ClassState& state, bool scheduling_up,
                   const Liveness& liveness) const;
  bool has_placement(int group) const { return groups_[group].placement >= 0; }
  // The nodes an observed placement puts pods on, each once.
  std::vector<int> placed_nodes() const;
  // The room `state` leaves for the priority level of `group` (always fits with unknown capacity).
  Room room_for(int group, const ClassState& state) const;

 private:
  const Topology& topology_;
  std::vector<WorkloadGroup> groups_;
  std::vector<std::vector<int>> groups_by_class_;
  std::vector<int> group_of_workload_;
  // Observed placements: (node index, ready pods) per distinct placement.
  std::vector<std::vector<std::pair<int, int>>> placements_;
  // Per eligibility class, its priority levels, highest first.
  std::vector<std::vector<PriorityLevel>> levels_;
  // Per group, what its level and the levels around it request: the same in every scenario, so
  // computed once (room_for, called per group and scenario, only subtracts).
  struct Demand {
    bool known = false;  // the class's capacity is known and the group's level found
    std::int64_t own_cpu = 0, own_memory = 0;
    std::int64_t taken_cpu = 0, taken_memory = 0;            // before its pods find room
    std::int64_t preempting_cpu = 0, preempting_memory = 0;  // may evict its running pods
  };
  std::vector<Demand> demands_;
  Demand demand_of(const WorkloadGroup& group) const;
  int first_subject_;
};

}  // namespace zerospof::analysis
