#include "render/failover_budget.h"

#include <fmt/format.h>

#include "render/context.h"
#include "render/haproxy_stats.h"

namespace zerospof::render {

namespace {

using Duration = FailoverBudget::Duration;

Duration ms(double value) { return Duration(static_cast<std::int64_t>(value + 0.5)); }

std::string seconds(Duration duration) {
  return fmt::format("{:g} s", static_cast<double>(duration.count()) / 1000);
}

}  // namespace

FailoverBudget failover_budget(const model::Cluster& cluster) {
  const model::Tuning& t = cluster.tuning;
  auto advert = static_cast<double>(t.vrrp_advert_interval_ms);
  // The skew of the backup that claims the VIP: the lowest priority (50) in the worst case.
  double skew = advert * (256 - 50) / 256;
  FailoverBudget budget;
  if (cluster.endpoint.mode == model::EndpointMode::kVip) {
    budget.vip_takeover = ms(3 * advert + skew);
    // A node in FAULT sends a priority-0 advert: the backups wait only the skew.
    bool guide = t.profile == model::TuningProfile::kKubeadmGuide;
    double detection = guide ? 10 * 3000.0  // the guide's script: every 3 s, fall 10
                             : 2 * static_cast<double>(t.lb_check_interval_ms);
    budget.vip_release = ms(detection + skew);
    double unanswered =
        guide ? detection
              : 2 * static_cast<double>(fitness_stats_timeout(t).count() + t.lb_check_interval_ms);
    budget.vip_release_unanswered = ms(unanswered + skew);
  }
  budget.apiserver_out_of_pool = ms(3 * static_cast<double>(t.lb_check_interval_ms));
  budget.etcd_election = ms(2 * static_cast<double>(t.etcd_election_timeout_ms) +
                            static_cast<double>(t.etcd_heartbeat_interval_ms));
  budget.lease_takeover = Duration(t.lease_duration_ms + t.retry_period_ms);
  // The grace period from the last renewal the controller saw, and one look of it at most.
  budget.node_not_ready = Duration(t.node_monitor_grace_period_ms + t.node_monitor_period_ms);
  budget.pods_evicted = Duration(t.eviction_toleration_ms);
  budget.between_node_evictions = ms(1000 / node_eviction_rate(t));
  return budget;
}

double node_eviction_rate(const model::Tuning& tuning) {
  return tuning.profile == model::TuningProfile::kFast ? 2 : 0.1;
}

std::string describe(const FailoverBudget& budget, const model::Tuning& tuning) {
  std::string endpoint =
      budget.vip_takeover
          ? fmt::format(
                "API endpoint failover ≈ {} (3 × {} VRRP adverts + skew), ≈ {} when only its "
                "HAProxy dies, ≈ {} when it hangs",
                seconds(*budget.vip_takeover), seconds(Duration(tuning.vrrp_advert_interval_ms)),
                seconds(*budget.vip_release), seconds(*budget.vip_release_unanswered))
          : "API endpoint: local HAProxy on every node, no failover of its own";
  return fmt::format(
      "tuning {}: {}; dead apiserver out of the pool ≈ {} (3 × {} /readyz checks); etcd leader "
      "re-elected ≤ {}; controller-manager/scheduler leader ≤ {} (lease + retry); node NotReady "
      "after {}, its pods evicted {} later, each further dead node's {} after the one before",
      model::to_string(tuning.profile), endpoint, seconds(budget.apiserver_out_of_pool),
      seconds(Duration(tuning.lb_check_interval_ms)), seconds(budget.etcd_election),
      seconds(budget.lease_takeover), seconds(budget.node_not_ready), seconds(budget.pods_evicted),
      seconds(budget.between_node_evictions));
}

}  // namespace zerospof::render
