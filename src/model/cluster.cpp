#include "model/cluster.h"

#include <algorithm>

namespace zerospof::model {

const char* to_string(Role role) {
  switch (role) {
    case Role::kControlPlane:
      return "control-plane";
    case Role::kEtcd:
      return "etcd";
    case Role::kWorker:
      return "worker";
    case Role::kStorage:
      return "storage";
  }
  return "?";
}

std::optional<Role> role_from_string(std::string_view text) {
  for (Role role : {Role::kControlPlane, Role::kEtcd, Role::kWorker, Role::kStorage})
    if (text == to_string(role)) return role;
  return std::nullopt;
}

bool Node::has_role(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const Node* Cluster::find_node(std::string_view wanted) const {
  for (const Node& node : nodes)
    if (node.name == wanted) return &node;
  return nullptr;
}

std::vector<const Node*> Cluster::nodes_with_role(Role role) const {
  std::vector<const Node*> found;
  for (const Node& node : nodes)
    if (node.has_role(role)) found.push_back(&node);
  return found;
}

util::SourceLocation Cluster::location_of(const std::string& path) const {
  auto it = locations.find(path);
  if (it != locations.end()) return it->second;
  return util::SourceLocation{source_file, 0, 0};
}

const char* to_string(EndpointMode mode) {
  return mode == EndpointMode::kVip ? "vip" : "local-proxy";
}

std::string Node::cluster_address() const { return address ? address->base.to_string() : host; }

const char* to_string(TuningProfile profile) {
  return profile == TuningProfile::kFast ? "fast" : "kubeadm-guide";
}

std::optional<TuningProfile> tuning_profile_from_string(std::string_view text) {
  if (text == "fast") return TuningProfile::kFast;
  if (text == "kubeadm-guide") return TuningProfile::kKubeadmGuide;
  return std::nullopt;
}

Tuning Tuning::of(TuningProfile profile) {
  if (profile == TuningProfile::kFast) return Tuning{};
  // The kubeadm HA guide (keepalived and HAProxy as static pods) with upstream's defaults.
  return Tuning{.profile = TuningProfile::kKubeadmGuide,
                .vrrp_advert_interval_ms = 1000,
                .lb_check_interval_ms = 2000,
                .etcd_heartbeat_interval_ms = 100,
                .etcd_election_timeout_ms = 1000,
                .lease_duration_ms = 15000,
                .renew_deadline_ms = 10000,
                .retry_period_ms = 2000,
                .node_lease_duration_ms = 40000,
                .node_monitor_period_ms = 5000,
                .node_monitor_grace_period_ms = 40000,
                .eviction_toleration_ms = 300000};
}

const char* to_string(Cni cni) { return cni == Cni::kCalico ? "calico" : "cilium"; }

const char* to_string(BgpPeering peering) {
  return peering == BgpPeering::kFullMesh ? "full-mesh" : "route-reflectors";
}

const char* to_string(StorageProvider provider) {
  switch (provider) {
    case StorageProvider::kLonghorn:
      return "longhorn";
    case StorageProvider::kRookCeph:
      return "rook-ceph";
    case StorageProvider::kNone:
      return "none";
  }
  return "?";
}

const char* to_string(ServiceMesh mesh) {
  switch (mesh) {
    case ServiceMesh::kNone:
      return "none";
    case ServiceMesh::kLinkerd:
      return "linkerd";
    case ServiceMesh::kIstio:
      return "istio";
  }
  return "?";
}

}  // namespace zerospof::model
