// The cluster's failover timings as one plain value: every failure detector and leader election
// zerospof configures, in milliseconds, by profile. Render derives each program's flags and the
// failover budget (render/failover_budget.h) from it, so a timing is stated in one place.
#pragma once

#include <cstdint>

namespace zerospof::model {

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
  // The tighter node timings (6 s lease, 1 s look, 8 s grace, 2 s toleration: a dead worker's
  // pods elsewhere in 11-13 s on the lab) are a written-out choice, not the default: docs/plan.md
  // says what the drills measured them to cost.
  std::int64_t node_lease_duration_ms = 40000;
  std::int64_t node_monitor_period_ms = 5000;         // the node controller looks this often
  std::int64_t node_monitor_grace_period_ms = 20000;  // node declared NotReady after this
  std::int64_t eviction_toleration_ms = 10000;        // pods evicted this long after NotReady

  // Every value of `profile`, before a plan's own fields override them.
  static Tuning of(TuningProfile profile);
  bool operator==(const Tuning&) const = default;
};

}  // namespace zerospof::model
