// The availability rules of the cluster's own services, one per subject: etcd (a majority of
// members), kube-apiserver (a live instance while etcd has quorum; on an etcd member, while that
// member runs too), the API endpoint (VIP: keepalived + HAProxy on a live control-plane node of
// the VIP's L2 segment; local-proxy: a proxy on every node), kube-scheduler and
// kube-controller-manager (leader election among live instances whose local apiserver works),
// replicated storage, and BGP route distribution.
// Internal to analysis; evaluate() allocates nothing.
#pragma once

#include <vector>

#include "analysis/analysis.h"
#include "analysis/liveness.h"
#include "model/cluster.h"

namespace zerospof::analysis {

class ControlPlane {
 public:
  explicit ControlPlane(const model::Cluster& cluster);

  // Subjects come in a fixed order: etcd, kube-apiserver, api-endpoint, kube-scheduler,
  // kube-controller-manager, then storage and bgp when the plan has them.
  static constexpr int kEndpointSubject = 2;

  // Appends one ServiceInfo per subject, in subject order.
  void describe(std::vector<ServiceInfo>& services) const;
  int subject_count() const { return static_cast<int>(subjects_.size()); }
  // Components that run on `node` and may be stopped on their own.
  std::vector<Component> components_on(int node) const;
  // VIP mode: nodes that can hold the VIP (empty in local-proxy mode).
  const std::vector<int>& vip_holders() const { return vip_holders_; }
  bool is_control_plane_subject(int subject) const;
  // A node whose own components a rule looks at (an etcd member, a control-plane node, a route
  // reflector), as opposed to one that only counts (a storage node, any other node).
  bool named_by_rules(int node) const;
  bool is_storage_node(int node) const { return is_storage_node_[node] != 0; }

  struct Outcome {
    bool api_up = false;         // the API answers through the endpoint
    bool scheduling_up = false;  // and pods can be rescheduled (scheduler + controller-manager)
  };
  // Writes one verdict per subject into `verdicts` (resized to subject_count()).
  Outcome evaluate(const Liveness& liveness, std::vector<Verdict>& verdicts) const;

 private:
  enum class Rule { kEtcd, kApiserver, kEndpoint, kScheduler, kControllerManager, kStorage, kBgp };

  Verdict etcd(const Liveness& liveness) const;
  Verdict apiserver(const Liveness& liveness, bool etcd_up) const;
  bool apiserver_serving(const Liveness& liveness, int node) const;
  Verdict endpoint(const Liveness& liveness, bool api_up) const;
  Verdict elected(const Liveness& liveness, Component component, bool etcd_up) const;
  Verdict storage(const Liveness& liveness, bool scheduling_up) const;
  Verdict bgp(const Liveness& liveness) const;

  const model::Cluster& cluster_;
  std::vector<Rule> subjects_;
  std::vector<int> etcd_nodes_, control_plane_nodes_, storage_nodes_, reflectors_, vip_holders_;
  // Per node: a storage node. A scenario's lost storage nodes are counted over the few nodes it
  // touched, not over every storage node (a thousand of them, half a million scenarios).
  std::vector<char> is_storage_node_;
};

}  // namespace zerospof::analysis
