#include "analysis/control_plane.h"

#include <algorithm>

#include "analysis/addons.h"

namespace zerospof::analysis {

namespace {

Verdict verdict(Health now, Health after, Reason reason, int live, int total, int live_after = -1,
                int extra = 0) {
  Verdict result;
  result.now = now;
  result.after = after;
  result.health = std::max(now, after);
  result.reason = reason;
  result.live = live;
  result.total = total;
  result.live_after = live_after < 0 ? live : live_after;
  result.extra = extra;
  return result;
}

Verdict same_now_and_after(Health health, Reason reason, int live, int total, int extra = 0) {
  return verdict(health, health, reason, live, total, live, extra);
}

int quorum(int members) { return members / 2 + 1; }

}  // namespace

ControlPlane::ControlPlane(const model::Cluster& cluster) : cluster_(cluster) {
  for (size_t i = 0; i < cluster.nodes.size(); ++i) {
    const model::Node& node = cluster.nodes[i];
    int index = static_cast<int>(i);
    if (node.has_role(model::Role::kEtcd)) etcd_nodes_.push_back(index);
    if (!node.has_role(model::Role::kControlPlane)) continue;
    control_plane_nodes_.push_back(index);
    // A node can hold the VIP only on the VIP's L2 segment; without an address we cannot tell
    // and assume it can (the report says so).
    bool on_segment = !node.address || !cluster.endpoint.address ||
                      node.address->contains(*cluster.endpoint.address);
    if (cluster.endpoint.mode == model::EndpointMode::kVip && on_segment)
      vip_holders_.push_back(index);
  }
  storage_nodes_ = analysis::storage_nodes(cluster);
  is_storage_node_.assign(cluster.nodes.size(), 0);
  for (int node : storage_nodes_) is_storage_node_[node] = 1;
  if (cluster.network.bgp && cluster.network.bgp->peering == model::BgpPeering::kRouteReflectors)
    for (const std::string& name : cluster.network.bgp->route_reflectors)
      for (size_t i = 0; i < cluster.nodes.size(); ++i)
        if (cluster.nodes[i].name == name) reflectors_.push_back(static_cast<int>(i));
  subjects_ = {Rule::kEtcd, Rule::kApiserver, Rule::kEndpoint, Rule::kScheduler,
               Rule::kControllerManager};
  if (cluster.storage.provider != model::StorageProvider::kNone)
    subjects_.push_back(Rule::kStorage);
  if (cluster.network.bgp) subjects_.push_back(Rule::kBgp);
}

bool ControlPlane::is_control_plane_subject(int subject) const {
  Rule rule = subjects_[subject];
  return rule != Rule::kStorage && rule != Rule::kBgp;
}

bool ControlPlane::named_by_rules(int node) const {
  auto named_in = [node](const std::vector<int>& nodes) {
    return std::find(nodes.begin(), nodes.end(), node) != nodes.end();
  };
  return named_in(etcd_nodes_) || named_in(control_plane_nodes_) || named_in(reflectors_);
}

void ControlPlane::describe(std::vector<ServiceInfo>& services) const {
  using model::ServiceClass;
  bool vip = cluster_.endpoint.mode == model::EndpointMode::kVip;
  for (Rule rule : subjects_) {
    switch (rule) {
      case Rule::kEtcd:
        services.push_back({"etcd",
                            ServiceClass::kControlPlane,
                            "Raft members: writes and reads need a majority",
                            {}});
        break;
      case Rule::kApiserver:
        services.push_back({"kube-apiserver",
                            ServiceClass::kControlPlane,
                            "stateless instances, ready while etcd has quorum",
                            {}});
        break;
      case Rule::kEndpoint:
        services.push_back({"api-endpoint",
                            ServiceClass::kDataPath,
                            vip ? "keepalived VRRP VIP + HAProxy health-checking every apiserver"
                                : "HAProxy on 127.0.0.1 of every node, checking every apiserver",
                            {}});
        break;
      case Rule::kScheduler:
        services.push_back({"kube-scheduler",
                            ServiceClass::kController,
                            "leader election among instances with a working local apiserver",
                            {}});
        break;
      case Rule::kControllerManager:
        services.push_back({"kube-controller-manager",
                            ServiceClass::kController,
                            "leader election among instances with a working local apiserver",
                            {}});
        break;
      case Rule::kStorage:
        services.push_back({"storage",
                            ServiceClass::kDataPath,
                            std::string(model::to_string(cluster_.storage.provider)) +
                                " volumes with replicas on distinct storage nodes",
                            {}});
        break;
      case Rule::kBgp:
        services.push_back({"bgp",
                            ServiceClass::kDataPath,
                            "pod routes distributed by BGP (" +
                                std::string(model::to_string(cluster_.network.bgp->peering)) + ")",
                            {}});
        break;
    }
  }
}

std::vector<Component> ControlPlane::components_on(int node) const {
  std::vector<Component> components;
  const model::Node& spec = cluster_.nodes[node];
  if (spec.has_role(model::Role::kEtcd)) components.push_back(Component::kEtcd);
  if (spec.has_role(model::Role::kControlPlane)) {
    components.insert(components.end(), {Component::kApiserver, Component::kScheduler,
                                         Component::kControllerManager});
  }
  bool vip = cluster_.endpoint.mode == model::EndpointMode::kVip;
  if (!vip || std::find(vip_holders_.begin(), vip_holders_.end(), node) != vip_holders_.end())
    components.push_back(Component::kHaproxy);
  if (vip && std::find(vip_holders_.begin(), vip_holders_.end(), node) != vip_holders_.end())
    components.push_back(Component::kKeepalived);
  components.push_back(Component::kKubelet);
  return components;
}

Verdict ControlPlane::etcd(const Liveness& liveness) const {
  int total = static_cast<int>(etcd_nodes_.size());
  int live = static_cast<int>(std::count_if(etcd_nodes_.begin(), etcd_nodes_.end(), [&](int n) {
    return liveness.running(n, Component::kEtcd);
  }));
  if (live < quorum(total))
    return same_now_and_after(Health::kDown, Reason::kQuorumLost, live, total, quorum(total));
  if (live < total)
    return same_now_and_after(Health::kDegraded, Reason::kQuorumKept, live, total, quorum(total));
  return same_now_and_after(Health::kOk, Reason::kAllLive, live, total);
}

// An apiserver on an etcd member talks to that member alone (render/control_plane.cpp says
// why), so it serves only while the member runs too; one on a node without a member talks to
// them all.
bool ControlPlane::apiserver_serving(const Liveness& liveness, int node) const {
  if (!liveness.running(node, Component::kApiserver)) return false;
  bool member = std::find(etcd_nodes_.begin(), etcd_nodes_.end(), node) != etcd_nodes_.end();
  return !member || liveness.running(node, Component::kEtcd);
}

Verdict ControlPlane::apiserver(const Liveness& liveness, bool etcd_up) const {
  int total = static_cast<int>(control_plane_nodes_.size());
  int live =
      static_cast<int>(std::count_if(control_plane_nodes_.begin(), control_plane_nodes_.end(),
                                     [&](int n) { return apiserver_serving(liveness, n); }));
  if (!etcd_up) return same_now_and_after(Health::kDown, Reason::kEtcdDown, live, total);
  if (live == 0) return same_now_and_after(Health::kDown, Reason::kNoInstance, live, total);
  if (live < total)
    return same_now_and_after(Health::kDegraded, Reason::kInstancesLost, live, total);
  return same_now_and_after(Health::kOk, Reason::kAllLive, live, total);
}

Verdict ControlPlane::endpoint(const Liveness& liveness, bool api_up) const {
  if (cluster_.endpoint.mode == model::EndpointMode::kLocalProxy) {
    if (!api_up) return same_now_and_after(Health::kDown, Reason::kApiDown, 0, 0);
    if (liveness.stopped_node() >= 0 && liveness.stopped_component() == Component::kHaproxy)
      return same_now_and_after(Health::kDegraded, Reason::kNodeLosesApi, 0, 0,
                                liveness.stopped_node());
    return same_now_and_after(Health::kOk, Reason::kAllLive, 0, 0);
  }
  int total = static_cast<int>(vip_holders_.size());
  int live = static_cast<int>(std::count_if(vip_holders_.begin(), vip_holders_.end(), [&](int n) {
    return liveness.running(n, Component::kKeepalived) && liveness.running(n, Component::kHaproxy);
  }));
  if (live == 0) return same_now_and_after(Health::kDown, Reason::kNoVipHolder, live, total);
  if (!api_up) return same_now_and_after(Health::kDown, Reason::kApiDown, live, total);
  if (live < total) return same_now_and_after(Health::kDegraded, Reason::kVipMoves, live, total);
  int backends = static_cast<int>(control_plane_nodes_.size());
  int live_backends =
      static_cast<int>(std::count_if(control_plane_nodes_.begin(), control_plane_nodes_.end(),
                                     [&](int n) { return apiserver_serving(liveness, n); }));
  if (live_backends < backends)
    return same_now_and_after(Health::kDegraded, Reason::kBackendsLost, live_backends, backends);
  return same_now_and_after(Health::kOk, Reason::kAllLive, live, total);
}

// Scheduler and controller-manager talk to the apiserver on their own node, as kubeadm and
// k0s configure them, so an instance counts only while that apiserver runs too.
Verdict ControlPlane::elected(const Liveness& liveness, Component component, bool etcd_up) const {
  int total = static_cast<int>(control_plane_nodes_.size());
  int live = static_cast<int>(std::count_if(
      control_plane_nodes_.begin(), control_plane_nodes_.end(),
      [&](int n) { return liveness.running(n, component) && apiserver_serving(liveness, n); }));
  if (!etcd_up) return same_now_and_after(Health::kDown, Reason::kEtcdDown, live, total);
  if (live == 0) return same_now_and_after(Health::kDown, Reason::kNoInstance, live, total);
  if (live < total)
    return verdict(Health::kDegraded, Health::kOk, Reason::kLeaderReelected, live, total);
  return same_now_and_after(Health::kOk, Reason::kAllLive, live, total);
}

// Worst case over volume placement: the lost storage nodes may hold replicas of one volume.
// Longhorn serves a volume while one replica lives and rebuilds lost replicas on other nodes;
// Ceph blocks I/O below min_size (size - size/2) and needs a majority of its monitors.
Verdict ControlPlane::storage(const Liveness& liveness, bool scheduling_up) const {
  int nodes = static_cast<int>(storage_nodes_.size());
  const std::vector<int>& lost_pods = liveness.lost_pod_nodes();
  int lost = static_cast<int>(std::count_if(lost_pods.begin(), lost_pods.end(),
                                            [&](int n) { return is_storage_node_[n] != 0; }));
  int replicas = cluster_.storage.replicas;
  int placed = std::min(replicas, nodes);
  int live = placed - std::min(placed, lost);
  bool ceph = cluster_.storage.provider == model::StorageProvider::kRookCeph;
  int needed = ceph ? replicas - replicas / 2 : 1;
  if (ceph) {
    int monitors = std::min(3, nodes);
    if (monitors - std::min(monitors, lost) < quorum(monitors)) live = 0;
  }
  Health now = live < needed ? Health::kDown : live < replicas ? Health::kDegraded : Health::kOk;
  int live_after = live;
  if (scheduling_up && live >= needed) live_after = std::min(replicas, nodes - lost);
  Health after = live_after < needed     ? Health::kDown
                 : live_after < replicas ? Health::kDegraded
                                         : Health::kOk;
  Reason reason = now == Health::kDown                         ? Reason::kVolumesLost
                  : now == Health::kOk && after == Health::kOk ? Reason::kAllLive
                                                               : Reason::kVolumesDegraded;
  return verdict(now, after, reason, live, replicas, live_after, needed);
}

// Full mesh: a dead node only takes its own routes. Route reflectors: with none left, routes
// survive the BGP graceful-restart window (about 120 s), then are withdrawn.
Verdict ControlPlane::bgp(const Liveness& liveness) const {
  if (cluster_.network.bgp->peering == model::BgpPeering::kFullMesh)
    return same_now_and_after(Health::kOk, Reason::kAllLive, 0, 0);
  int total = static_cast<int>(reflectors_.size());
  int live = static_cast<int>(std::count_if(reflectors_.begin(), reflectors_.end(),
                                            [&](int n) { return !liveness.host_dead(n); }));
  if (live == 0) return verdict(Health::kDegraded, Health::kDown, Reason::kNoReflector, 0, total);
  if (live < total)
    return same_now_and_after(Health::kDegraded, Reason::kReflectorsLost, live, total);
  return same_now_and_after(Health::kOk, Reason::kAllLive, live, total);
}

ControlPlane::Outcome ControlPlane::evaluate(const Liveness& liveness,
                                             std::vector<Verdict>& verdicts) const {
  verdicts.resize(subjects_.size());
  Verdict etcd_verdict = etcd(liveness);
  bool etcd_up = etcd_verdict.health != Health::kDown;
  Verdict api_verdict = apiserver(liveness, etcd_up);
  Outcome outcome;
  outcome.api_up = api_verdict.health != Health::kDown;
  Verdict endpoint_verdict = endpoint(liveness, outcome.api_up);
  outcome.api_up = endpoint_verdict.health != Health::kDown;
  Verdict scheduler = elected(liveness, Component::kScheduler, etcd_up);
  Verdict manager = elected(liveness, Component::kControllerManager, etcd_up);
  outcome.scheduling_up =
      outcome.api_up && scheduler.health != Health::kDown && manager.health != Health::kDown;
  for (size_t i = 0; i < subjects_.size(); ++i) {
    switch (subjects_[i]) {
      case Rule::kEtcd:
        verdicts[i] = etcd_verdict;
        break;
      case Rule::kApiserver:
        verdicts[i] = api_verdict;
        break;
      case Rule::kEndpoint:
        verdicts[i] = endpoint_verdict;
        break;
      case Rule::kScheduler:
        verdicts[i] = scheduler;
        break;
      case Rule::kControllerManager:
        verdicts[i] = manager;
        break;
      case Rule::kStorage:
        verdicts[i] = storage(liveness, outcome.scheduling_up);
        break;
      case Rule::kBgp:
        verdicts[i] = bgp(liveness);
        break;
    }
    verdicts[i].subject = static_cast<int>(i);
  }
  return outcome;
}

}  // namespace zerospof::analysis
