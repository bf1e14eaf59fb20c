// What the observers (status::observe_cluster) would see of a healthy cluster of `cluster`: every
// host answers with its units active, the first control-plane node holds the VIP, every HAProxy
// routes to every apiserver, etcd's first member leads, leases fresh, every node Ready. Tests of
// status and audit start from it and break one thing each. Header-only.
#pragma once

#include "model/cluster.h"
#include "status/status.h"

namespace zerospof::testing {

inline constexpr double kObservedAt = 1796361600;  // 2026-12-04T05:20:00Z

inline status::Observations healthy_observations(const model::Cluster& cluster) {
  status::Observations observed;
  bool vip_given = false;
  for (const model::Node& node : cluster.nodes) {
    observe::HostState host{.node = node.name, .reachable = true};
    bool control = node.has_role(model::Role::kControlPlane);
    auto unit = [&](const char* name) {
      host.units.push_back({.unit = name, .active = "active", .enabled = true});
    };
    unit("zerospof-kwok.service");
    unit("nftables.service");
    if (node.has_role(model::Role::kEtcd)) unit("zerospof-etcd.service");
    if (control) {
      for (const char* name :
           {"zerospof-kube-apiserver.service", "zerospof-kube-scheduler.service",
            "zerospof-kube-controller-manager.service", "haproxy.service", "keepalived.service"})
        unit(name);
      for (const model::Node* backend : cluster.nodes_with_role(model::Role::kControlPlane))
        host.backends.push_back({.server = backend->name, .status = "UP", .check = "L7OK"});
      host.haproxy_answered = true;
      host.holds_vip = !vip_given;
      vip_given = true;
      observed.ready_apiservers.push_back(node.name);
    }
    host.certificates.push_back(
        {.path = "/etc/zerospof/pki/ca.crt",
         .not_after = static_cast<std::int64_t>(kObservedAt) + 86400 * 3650});
    observed.hosts.push_back(host);
    observed.api.nodes.push_back({.name = node.name, .ready = "True"});
  }
  for (const model::Node* node : cluster.nodes_with_role(model::Role::kEtcd)) {
    observed.etcd.members.push_back({.node = node->name, .answered = true, .raft_term = 3});
    observed.etcd.listed.push_back(node->name);
  }
  if (!observed.etcd.members.empty()) {
    observed.etcd.members[0].leader = true;
    observed.etcd.leader = observed.etcd.members[0].node;
  }
  observed.api.reachable = true;
  for (const char* name : {"kube-scheduler", "kube-controller-manager"})
    observed.api.leases.push_back({.namespace_name = "kube-system",
                                   .name = name,
                                   .holder = cluster.nodes.front().name + "_1",
                                   .renewed_seconds_ago = 0.5,
                                   .duration_seconds = 4});
  observed.now = kObservedAt;
  return observed;
}

}  // namespace zerospof::testing
