// How long each failure detector of the cluster takes to act, derived from the plan's tuning:
// what render prints as the expected failover and what a drill holds each measured outage
// against. One place for these chains (docs/render.md explains each), so the prediction and the
// verdict cannot drift apart.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "model/cluster.h"

namespace zerospof::render {

struct FailoverBudget {
  using Duration = std::chrono::milliseconds;
  // vip mode: the VIP holder dies, a backup takes the VIP (VRRP's master-down interval: three
  // adverts plus the skew (256 - priority) / 256 of one). Unset in local-proxy mode.
  std::optional<Duration> vip_takeover;
  // vip mode: the holder's HAProxy dies and the node gives the VIP up (the fitness checks, or
  // the guide's script checks, then the skew).
  std::optional<Duration> vip_release;
  // vip mode: the holder's HAProxy freezes (the kernel still accepts connections, nothing
  // answers): the fitness loop waits its stats timeout on each of the two checks, then the skew;
  // the guide's script is as slow either way.
  std::optional<Duration> vip_release_unanswered;
  Duration apiserver_out_of_pool{0};  // HAProxy marks a dead apiserver down: 3 checks
  Duration etcd_election{0};          // a new etcd leader: up to 2 election timeouts (raft's
                                      // randomised timeout) plus a heartbeat
  Duration lease_takeover{0};         // controller-manager, scheduler: lease + retry period
  Duration node_not_ready{0};         // node controller's grace period and one monitor period
  Duration pods_evicted{0};           // after NotReady, the toleration
  // The node controller taints dead nodes for eviction one at a time, at its eviction rate: each
  // further dead node is tainted this long after the one before.
  Duration between_node_evictions{0};
};

// Dead nodes the node controller taints for eviction per second (--node-eviction-rate): upstream's
// 0.1 in the kubeadm guide's tuning, 2 in the fast one (control_plane.cpp says why never 1).
double node_eviction_rate(const model::Tuning& tuning);

FailoverBudget failover_budget(const model::Cluster& cluster);

// "API endpoint failover ≈ 0.72 s (3 × 0.2 s VRRP adverts + skew); ...": one line for people.
std::string describe(const FailoverBudget& budget, const model::Tuning& tuning);

}  // namespace zerospof::render
