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
#include "model/tuning.h"
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

// The node label carrying Node::power_feed (render sets it, the analysis reads it like any
// label), so that workloads can spread over feeds.
inline constexpr const char* kPowerFeedLabel = "zerospof.io/power-feed";

struct Node {
  std::string name;
  std::string host;                   // how the operator's machine reaches it (DNS name or address)
  std::optional<Cidr> address;        // cluster-internal interface address with its prefix
  bool address_prefix_given = false;  // false: the prefix is the assumed /24 or /64
  std::vector<Role> roles;
  std::string zone;  // failure domain; empty: the node is its own domain
  // The power feed (circuit, PDU, UPS) the node draws from: nodes of one feed fail together,
  // across zones when a feed spans them. Empty: not given, the node is in no feed's scenario.
  std::string power_feed;
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
