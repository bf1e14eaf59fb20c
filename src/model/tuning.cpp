#include "model/tuning.h"

#include "model/enum_names.h"

namespace zerospof::model {

// The table's names are literals, so their data() is a terminated C string.
const char* to_string(TuningProfile profile) {
  return name_in(kTuningProfileNames, profile).data();
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

}  // namespace zerospof::model
