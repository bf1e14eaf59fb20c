#include "analysis/workloads.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace zerospof::analysis {

namespace {

// At most how many replicas the scheduler may put in one spread domain.
int max_per_domain(const model::Workload& workload, const EligibilityClass& eligible) {
  const model::WorkloadSpread& spread = workload.spread;
  if (spread.required_key == model::SpreadKey::kNone) return std::max(workload.replicas, 1);
  if (spread.max_skew == 0) return 1;
  int domains = spread.required_key == model::SpreadKey::kHostname
                    ? static_cast<int>(eligible.nodes.size())
                    : eligible.zone_count;
  if (domains == 0) return std::max(workload.replicas, 1);
  // Skew s across D domains: max - min <= s and the sum is R, so max <= (R + s(D-1)) / D.
  return std::max(1, (workload.replicas + spread.max_skew * (domains - 1)) / domains);
}

Health health_of(int live, int total) {
  if (live >= total) return Health::kOk;
  return live == 0 ? Health::kDown : Health::kDegraded;
}

}  // namespace

Workloads::Workloads(const std::vector<model::Workload>& workloads, Topology& topology,
                     std::vector<ServiceInfo>& services, int first_subject)
    : topology_(topology), first_subject_(first_subject) {
  using Key = std::tuple<int, int, int, int, int, int, int, std::int32_t, bool>;
  // (priority, preempts), descending: the scheduler's queue order.
  using LevelKey = std::pair<std::int32_t, bool>;
  std::vector<std::map<LevelKey, PriorityLevel, std::greater<>>> levels(topology.classes().size());
  std::map<Key, int> group_index;
  std::map<std::vector<std::pair<int, int>>, int> placement_index;
  for (const model::Workload& workload : workloads) {
    int eligibility_class = topology.classify(workload);
    EligibilityClass& eligible = topology.class_at(eligibility_class);
    bool daemon = workload.kind == model::WorkloadKind::kDaemonSet;
    int pods = daemon ? static_cast<int>(eligible.nodes.size()) : workload.replicas;
    if (levels.size() <= static_cast<std::size_t>(eligibility_class))
      levels.resize(eligibility_class + 1);
    PriorityLevel& level = levels[eligibility_class][{workload.priority, workload.preempts}];
    level.priority = workload.priority;
    level.preempts = workload.preempts;
    level.cpu_millicores += pods * workload.cpu_request_millicores;
    level.memory_bytes += pods * workload.memory_request_bytes;
    WorkloadGroup group{eligibility_class,
                        workload.kind,
                        daemon ? 0 : workload.replicas,
                        daemon ? model::SpreadKey::kNone : workload.spread.required_key,
                        daemon ? 1 : max_per_domain(workload, eligible),
                        workload.service_class,
                        {},
                        -1,
                        workload.priority,
                        workload.preempts};
    if (group.key == model::SpreadKey::kNone) group.key = model::SpreadKey::kHostname;
    if (!workload.observed_placement.empty()) {
      // In node order, so equal placements intern to one; nodes the plan lacks count nowhere.
      std::vector<std::pair<int, int>> placed;
      for (const auto& [name, pods] : workload.observed_placement)
        if (int node = topology.node_index(name); node >= 0) placed.emplace_back(node, pods);
      std::sort(placed.begin(), placed.end());
      auto [at, fresh] = placement_index.emplace(placed, static_cast<int>(placements_.size()));
      if (fresh) placements_.push_back(std::move(placed));
      group.placement = at->second;
    }
    Key key{group.eligibility_class, static_cast<int>(group.kind),
            group.replicas,          static_cast<int>(group.key),
            group.max_per_domain,    static_cast<int>(group.service_class),
            group.placement,         group.priority,
            group.preempts};
    auto [it, added] = group_index.emplace(key, static_cast<int>(groups_.size()));
    if (added) groups_.push_back(group);
    groups_[it->second].services.push_back(static_cast<int>(services.size()));
    group_of_workload_.push_back(it->second);
    services.push_back({workload.display_name(), workload.service_class, "", workload.where});
  }
  groups_by_class_.resize(topology.classes().size());
  levels.resize(topology.classes().size());
  for (const auto& by_priority : levels) {
    levels_.emplace_back();
    for (const auto& [priority, level] : by_priority) levels_.back().push_back(level);
  }
  for (size_t g = 0; g < groups_.size(); ++g)
    groups_by_class_[groups_[g].eligibility_class].push_back(static_cast<int>(g));
  for (const WorkloadGroup& group : groups_) demands_.push_back(demand_of(group));
}

std::vector<int> Workloads::placed_nodes() const {
  std::vector<int> nodes;
  for (const auto& placement : placements_)
    for (const auto& [node, pods] : placement) nodes.push_back(node);
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  return nodes;
}

ClassState Workloads::baseline_state(int eligibility_class) const {
  const EligibilityClass& eligible = topology_.classes()[eligibility_class];
  ClassState state;
  state.live_nodes = static_cast<int>(eligible.nodes.size());
  state.live_zones = eligible.zone_count;
  state.cpu_millicores = eligible.cpu_millicores;
  state.memory_bytes = eligible.memory_bytes;
  return state;
}

ClassState Workloads::class_state(int eligibility_class, const Liveness& liveness) const {
  const EligibilityClass& eligible = topology_.classes()[eligibility_class];
  ClassState state = baseline_state(eligibility_class);
  std::int64_t cpu = eligible.cpu_millicores, memory = eligible.memory_bytes;
  // Only the lost nodes are visited (a handful), and zones only through them.
  const std::vector<int>& lost = liveness.lost_pod_nodes();
  for (size_t i = 0; i < lost.size(); ++i) {
    int node = lost[i];
    if (!eligible.member[node]) continue;
    ++state.lost_nodes;
    --state.live_nodes;
    cpu -= topology_.cpu_millicores(node);
    memory -= topology_.memory_bytes(node);
    int zone = topology_.zone_of(node);
    bool first_in_zone = std::none_of(lost.begin(), lost.begin() + i, [&](int other) {
      return eligible.member[other] && topology_.zone_of(other) == zone;
    });
    if (!first_in_zone) continue;
    ++state.lost_zones;
    int lost_in_zone = static_cast<int>(std::count_if(lost.begin(), lost.end(), [&](int other) {
      return eligible.member[other] && topology_.zone_of(other) == zone;
    }));
    if (lost_in_zone == eligible.nodes_per_zone[zone]) --state.live_zones;
  }
  state.cpu_millicores = cpu;
  state.memory_bytes = memory;
  return state;
}

Workloads::Demand Workloads::demand_of(const WorkloadGroup& group) const {
  Demand demand;
  if (!topology_.classes()[group.eligibility_class].capacity_known) return demand;
  // The levels before it (all take room first; those higher that preempt may evict it) and
  // after it (a level that never preempts cannot evict them).
  std::int64_t behind_cpu = 0, behind_memory = 0;
  for (const PriorityLevel& level : levels_[group.eligibility_class]) {
    if (level.priority == group.priority && level.preempts == group.preempts) {
      demand.known = true;
      demand.own_cpu = level.cpu_millicores;
      demand.own_memory = level.memory_bytes;
    } else if (demand.known) {
      behind_cpu += level.cpu_millicores;
      behind_memory += level.memory_bytes;
    } else {
      demand.taken_cpu += level.cpu_millicores;
      demand.taken_memory += level.memory_bytes;
      if (level.preempts && level.priority > group.priority) {
        demand.preempting_cpu += level.cpu_millicores;
        demand.preempting_memory += level.memory_bytes;
      }
    }
  }
  if (!group.preempts) {
    demand.taken_cpu += behind_cpu;
    demand.taken_memory += behind_memory;
  }
  return demand;
}

Room Workloads::room_for(int group_index, const ClassState& state) const {
  const Demand& demand = demands_[group_index];
  Room room;
  if (!demand.known) return room;
  auto share_of = [&](std::int64_t taken_cpu, std::int64_t taken_memory) {
    auto share = [](std::int64_t left, std::int64_t wanted) {
      return wanted <= 0 ? 1.0 : std::clamp(static_cast<double>(left) / wanted, 0.0, 1.0);
    };
    return std::min(share(state.cpu_millicores - taken_cpu, demand.own_cpu),
                    share(state.memory_bytes - taken_memory, demand.own_memory));
  };
  room.share = share_of(demand.taken_cpu, demand.taken_memory);
  room.fits = room.share >= 1.0;
  room.below_higher = demand.preempting_cpu > 0 || demand.preempting_memory > 0;
  room.running_share =
      room.below_higher ? share_of(demand.preempting_cpu, demand.preempting_memory) : 1.0;
  return room;
}

Verdict Workloads::evaluate(int group_index, const ClassState& state, bool scheduling_up,
                            const Liveness& liveness) const {
  const WorkloadGroup& group = groups_[group_index];
  const EligibilityClass& eligible = topology_.classes()[group.eligibility_class];
  Verdict verdict;
  verdict.subject = first_subject_ + group_index;
  // Observed: the pods on the nodes this scenario spares (ready now, as the API said).
  int placed_now = 0, live_now = 0;
  if (group.placement >= 0) {
    for (const auto& [node, pods] : placements_[group.placement]) {
      placed_now += pods;
      if (!liveness.pods_lost(node)) live_now += pods;
    }
  }
  if (group.kind == model::WorkloadKind::kDaemonSet && group.placement >= 0) {
    verdict.total = placed_now;
    verdict.live = verdict.live_after = live_now;
    verdict.now = verdict.after = live_now == 0 ? Health::kDown : Health::kOk;
    verdict.reason = live_now < placed_now ? Reason::kPerNode : Reason::kAllLive;
    return verdict;
  }
  if (group.kind == model::WorkloadKind::kDaemonSet) {
    int total = static_cast<int>(eligible.nodes.size());
    verdict.total = total;
    verdict.live = verdict.live_after = state.live_nodes;
    verdict.now = verdict.after = state.live_nodes == 0 ? Health::kDown : Health::kOk;
    verdict.reason = state.lost_nodes > 0 ? Reason::kPerNode : Reason::kAllLive;
    return verdict;
  }
  bool by_zone = group.key == model::SpreadKey::kZone;
  int domains = by_zone ? eligible.zone_count : static_cast<int>(eligible.nodes.size());
  int lost_domains = by_zone ? state.lost_zones : state.lost_nodes;
  int live_domains = by_zone ? state.live_zones : state.live_nodes;
  int placed = std::min(group.replicas, group.max_per_domain * domains);
  int live = placed - std::min(placed, group.max_per_domain * lost_domains);
  bool observed = group.placement >= 0;
  if (observed) {
    placed = placed_now;
    live = live_now;
  }
  int live_after = live;
  const Room room = room_for(group_index, state);
  // Displaced pods that find no room: Pending, and said why for a class that never preempts.
  const Reason no_room = group.preempts ? Reason::kNoCapacity : Reason::kWaitsWithoutPreempting;
  Reason reason = placed < group.replicas ? Reason::kCannotSchedule
                  : live == placed        ? Reason::kAllLive
                  : !observed && group.max_per_domain >= group.replicas && group.replicas > 1
                      ? Reason::kMayShareNode
                      : Reason::kReplicasLost;
  if (live < placed) {
    if (!scheduling_up) {
      reason = Reason::kApiDown;
    } else if (group.kind == model::WorkloadKind::kStatefulSet) {
      reason = Reason::kStatefulSetStuck;
    } else if (!room.fits) {
      reason = no_room;
    } else {
      live_after = std::min(group.replicas, group.max_per_domain * live_domains);
      if (live_after < group.replicas && reason != Reason::kMayShareNode)
        reason = Reason::kCannotSchedule;
    }
  }
  if (!room.fits && scheduling_up) {
    // Levels ahead are placed first: running pods beyond `running_share` are preempted by the
    // higher levels that preempt; of the rest, displaced pods find room up to `share`, and those
    // beyond it stay Pending.
    const int kept_running = std::min(live, static_cast<int>(group.replicas * room.running_share));
    const int kept = std::max(static_cast<int>(group.replicas * room.share), kept_running);
    if (kept_running < live) {
      reason = Reason::kPreempted;
      verdict.extra = group.priority;
    } else if (kept < live_after) {
      reason = no_room;
    }
    live_after = std::min(live_after, kept);
  }
  verdict.total = group.replicas;
  verdict.live = live;
  verdict.live_after = live_after;
  verdict.now = health_of(live, group.replicas);
  verdict.after = health_of(live_after, group.replicas);
  verdict.reason = reason;
  return verdict;
}

}  // namespace zerospof::analysis
