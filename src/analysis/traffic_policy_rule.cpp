// local-traffic-one-node. With externalTrafficPolicy: Local a node forwards external traffic
// only to pods on itself (to keep the client's address), and load balancers send to the nodes
// whose health check node port says they have one. So the Service is exactly as spread as its
// pods: if they may all sit on one node, that node's failure leaves no node that answers until
// they are rescheduled, and clients pointed at any other node were never served.

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "analysis/findings.h"

namespace zerospof::analysis {

void find_local_traffic_on_one_node(const model::Cluster& cluster, const model::Manifests& all,
                                    std::vector<Finding>& out) {
  // A Service selects pods of its own namespace only: 10,000 Services need not each look at
  // 50,000 workloads.
  std::unordered_map<std::string_view, std::vector<const model::Workload*>> in_namespace;
  for (const model::Workload& workload : all.workloads)
    in_namespace[workload.namespace_name].push_back(&workload);
  const std::vector<const model::Workload*> none;
  for (const model::KubeService& service : all.services) {
    if (!service.external_traffic_local) continue;
    auto found = in_namespace.find(service.namespace_name);
    std::vector<const model::Workload*> backing;
    bool per_node = false;
    for (const model::Workload* candidate : found == in_namespace.end() ? none : found->second) {
      const model::Workload& workload = *candidate;
      if (!service.selects(workload)) continue;
      per_node = per_node || workload.kind == model::WorkloadKind::kDaemonSet;
      backing.push_back(&workload);
    }
    if (backing.empty() || per_node) continue;
    if (!std::all_of(backing.begin(), backing.end(),
                     [](const model::Workload* w) { return may_share_one_node(*w); }))
      continue;
    const model::Workload& first = *backing.front();
    out.push_back(
        {"local-traffic-one-node",
         fmt::format("service/{}/{}", service.namespace_name, service.name), service.where,
         fmt::format("{} with externalTrafficPolicy: Local is answered only by nodes running a "
                     "pod of {}, whose {} replica(s) may all sit on one node: that node's "
                     "failure leaves no node that serves it until they are rescheduled",
                     service.type, first.display_name(), first.replicas),
         fmt::format("spread at least 2 replicas ({}), or run it as a DaemonSet; or "
                     "externalTrafficPolicy: Cluster if the client address is not needed",
                     spread_fix(cluster))});
  }
}

}  // namespace zerospof::analysis
