// The cluster plan as plain, immutable values: what the user asked for, after defaults, with
// every field's position in the plan file kept in Cluster::locations so that any later stage
// (validation, analysis, render) can point at the user's bytes. Nothing here does I/O; the
// loader (plan/) fills it, and analysis, render and apply only read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/address.h"
#include "model/pinned_versions.h"
#include "util/error.h"

namespace zerospof::model {

enum class Role { kControlPlane, kEtcd, kWorker, kStorage };

const char* to_string(Role role);

struct SshSettings {
  std::string user = "root";
  int port = 22;
  std::string identity_file;  // empty: the OpenSSH client's own defaults (agent, ~/.ssh/config)
};

struct Capacity {
  std::int64_t cpu_millicores = 0;
  std::int64_t memory_bytes = 0;
};

struct Node {
  std::string name;
  std::string host;                   // how the operator's machine reaches it (DNS name or address)
  std::optional<Cidr> address;        // cluster-internal interface address with its prefix
  bool address_prefix_given = false;  // false: the prefix is the assumed /24 or /64
  std::vector<Role> roles;
  std::string zone;  // failure domain; empty: the node is its own domain
  SshSettings ssh;
  std::optional<Capacity> capacity;

  bool has_role(Role role) const;
  // The cluster-internal address without its prefix, or `host` for a node that has none: what
  // other nodes (etcd endpoints, firewall rules) name it by.
  std::string cluster_address() const;
};

struct KubernetesSettings {
  std::string version{pinned::kKubernetesVersion};  // versions.env
  Cidr pod_subnet = *Cidr::parse("10.244.0.0/16");
  Cidr service_subnet = *Cidr::parse("10.96.0.0/12");
};

enum class EndpointMode { kVip, kLocalProxy };

struct Endpoint {
  EndpointMode mode = EndpointMode::kVip;
  std::optional<IpAddress> address;  // the virtual IP (vip mode only)
  int port = 6443;
};

enum class Cni { kCalico, kCilium };
enum class BgpPeering { kFullMesh, kRouteReflectors };

struct Bgp {
  std::int64_t asn = 64512;
  BgpPeering peering = BgpPeering::kFullMesh;
  std::vector<std::string> route_reflectors;  // node names
};

struct Network {
  Cni cni = Cni::kCalico;
  std::optional<Bgp> bgp;
};

enum class StorageProvider { kLonghorn, kRookCeph, kNone };

struct Storage {
  StorageProvider provider = StorageProvider::kLonghorn;
  int replicas = 3;
};

enum class ServiceMesh { kNone, kLinkerd, kIstio };

struct Addons {
  int coredns_replicas = 3;
  std::string ingress_provider = "ingress-nginx";
  int ingress_replicas = 3;
  bool monitoring_enabled = true;
  ServiceMesh service_mesh = ServiceMesh::kNone;
};

// Which detector chain the tuning reproduces. kFast is zerospof's own (the default of a new plan):
// sub-second VRRP adverts, a VIP that moves only when this node's HAProxy can reach no
// apiserver at all (render/keepalived.cpp), fast etcd elections and leases. kKubeadmGuide is the
// setup of the kubeadm HA guide (keepalived checking the local apiserver every 3 s with fall 10,
// HAProxy checks every 2 s, upstream lease and node timings), kept to compare against.
enum class TuningProfile { kFast, kKubeadmGuide };
const char* to_string(TuningProfile profile);

// Timings of every failure detector and leader election, in milliseconds. One profile so that
// the failover budget is stated in one place (render derives Bundle::failover from it). The
// member defaults are the fast profile; docs/plan.md.
struct Tuning {
  TuningProfile profile = TuningProfile::kFast;
  std::int64_t vrrp_advert_interval_ms = 200;     // keepalived advert_int
  std::int64_t lb_check_interval_ms = 200;        // HAProxy health check of each apiserver
  std::int64_t etcd_heartbeat_interval_ms = 100;  // etcd --heartbeat-interval
  std::int64_t etcd_election_timeout_ms = 500;    // etcd --election-timeout (>= 5x heartbeat)
  std::int64_t lease_duration_ms = 4000;          // controller-manager and scheduler leases
  std::int64_t renew_deadline_ms = 3000;          // < lease duration
  std::int64_t retry_period_ms = 500;             // < renew deadline
  // A node's heartbeat: the kubelet (in the lab, kwok) renews its Lease every quarter of this.
  // The fast node timings (6 s lease, 1 s look, 6 s grace, 2 s toleration: a dead worker's pods
  // elsewhere in 10-14 s on the lab) are not the default yet: with them the rolling re-apply's
  // longest write gap went over 1 s (1134 and 1048 ms, tests/e2e/apply_test.cpp); cause not found.
  std::int64_t node_lease_duration_ms = 40000;
  std::int64_t node_monitor_period_ms = 5000;         // the node controller looks this often
  std::int64_t node_monitor_grace_period_ms = 20000;  // node declared NotReady after this
  std::int64_t eviction_toleration_ms = 10000;        // pods evicted this long after NotReady

  // Every value of `profile`, before a plan's own fields override them.
  static Tuning of(TuningProfile profile);
};

struct Cluster {
  std::string name;
  std::vector<Node> nodes;
  KubernetesSettings kubernetes;
  Endpoint endpoint;
  Network network;
  Storage storage;
  Addons addons;
  Tuning tuning;

  std::string source_file;  // the plan file, or "<built-in plan>"
  // Field path ("spec.nodes[2].address", "spec.addons.coredns.replicas") to where the user
  // wrote it. Fields that took their default have no entry.
  std::map<std::string, util::SourceLocation> locations;

  const Node* find_node(std::string_view name) const;
  std::vector<const Node*> nodes_with_role(Role role) const;
  util::SourceLocation location_of(const std::string& path) const;
};

const char* to_string(EndpointMode mode);
const char* to_string(Cni cni);
const char* to_string(BgpPeering peering);
const char* to_string(StorageProvider provider);
const char* to_string(ServiceMesh mesh);

}  // namespace zerospof::model
