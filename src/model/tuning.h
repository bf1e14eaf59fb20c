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
  // With these four a dead worker's pods ran elsewhere 11-14 s after its crash on the lab, with
  // no false failover in two drills of every scenario; their cost is that a node silent for 8 s
  // (a host stalled or cut off that long) loses its pods. docs/plan.md.
  std::int64_t node_lease_duration_ms = 6000;
  std::int64_t node_monitor_period_ms = 1000;        // the node controller looks this often
  std::int64_t node_monitor_grace_period_ms = 8000;  // node declared NotReady after this
  std::int64_t eviction_toleration_ms = 2000;        // pods evicted this long after NotReady

  // Every value of `profile`, before a plan's own fields override them.
  static Tuning of(TuningProfile profile);
  bool operator==(const Tuning&) const = default;
};

}  // namespace zerospof::model
