// lb-announcer-one-domain and bgp-peer-one-domain. A LoadBalancer address is reachable from
// outside only while a node announces it: in MetalLB's L2 mode one elected node answers ARP/NDP
// for it, in BGP mode the nodes that peer with the router advertise a route to it. When the
// nodes allowed to do so (an advertisement's or peer's node selectors, and the nodes that run
// MetalLB's speaker) are all in one failure domain, that domain's failure leaves no node to take
// the address over: every Service of those pools is unreachable until it returns, however well
// its pods are spread.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "analysis/findings.h"
#include "analysis/topology.h"

namespace zerospof::analysis {

namespace {

using Kind = model::Announcement::Kind;

bool is_speaker(const model::Workload& workload) {
  if (workload.kind != model::WorkloadKind::kDaemonSet) return false;
  auto label = [&](const char* key) {
    auto found = workload.pod_labels.find(key);
    return found == workload.pod_labels.end() ? std::string() : found->second;
  };
  bool metallb = label("app") == "metallb" || label("app.kubernetes.io/name") == "metallb";
  return metallb &&
         (label("component") == "speaker" || label("app.kubernetes.io/component") == "speaker");
}

// The nodes `announcement` may announce from, by the labels zerospof gives nodes.
std::vector<int> announcing_nodes(const model::Announcement& announcement, Topology& topology,
                                  const std::vector<char>& runs_speaker) {
  std::vector<int> nodes;
  for (int node = 0; node < topology.node_count(); ++node) {
    bool metallb = announcement.kind != Kind::kCalicoBgpPeer;
    if (metallb && !runs_speaker[node]) continue;
    bool chosen = !announcement.node.empty()
                      ? topology.labels(node).at("kubernetes.io/hostname") == announcement.node
                      : announcement.node_selectors.empty() ||
                            std::any_of(announcement.node_selectors.begin(),
                                        announcement.node_selectors.end(),
                                        [&](const model::LabelSelector& selector) {
                                          return selector.matches(topology.labels(node));
                                        });
    if (chosen) nodes.push_back(node);
  }
  return nodes;
}

std::string object_name(const model::Announcement& announcement) {
  const char* kind = announcement.kind == Kind::kL2Advertisement    ? "l2advertisement"
                     : announcement.kind == Kind::kBgpAdvertisement ? "bgpadvertisement"
                                                                    : "bgppeer";
  return fmt::format("{}/{}/{}", kind, announcement.namespace_name, announcement.name);
}

std::string pools_of(const model::Announcement& announcement) {
  if (announcement.pools.empty()) return "every address pool";
  return fmt::format("pool{} {}", announcement.pools.size() == 1 ? "" : "s",
                     fmt::join(announcement.pools, ", "));
}

}  // namespace

void find_single_announcers(const model::Cluster& cluster, const model::Manifests& all,
                            std::vector<Finding>& out, std::vector<std::string>& notes) {
  if (all.announcements.empty()) return;
  Topology topology(cluster);
  // MetalLB announces only from nodes that run its speaker (every node when the manifests do
  // not include it).
  std::vector<char> runs_speaker(topology.node_count(), 1);
  for (const model::Workload& workload : all.workloads)
    if (is_speaker(workload)) {
      const EligibilityClass& eligible = topology.classes()[topology.classify(workload)];
      runs_speaker = eligible.member;
    }
  for (const model::Announcement& announcement : all.announcements) {
    if (announcement.selector_expression) {
      notes.push_back(fmt::format(
          "{} ({}): Calico's nodeSelector expression is not read, so the nodes that peer are "
          "not judged",
          object_name(announcement), announcement.where.to_string()));
      continue;
    }
    std::vector<int> nodes = announcing_nodes(announcement, topology, runs_speaker);
    if (nodes.empty()) {
      notes.push_back(fmt::format(
          "{} ({}) selects no node of the plan by the labels zerospof gives nodes (hostname, "
          "role, zone, power feed), so where it announces from is not judged",
          object_name(announcement), announcement.where.to_string()));
      continue;
    }
    std::set<int> domains;
    for (int node : nodes) domains.insert(topology.domain_of(node));
    if (domains.size() > 1) continue;
    std::string where = nodes.size() == 1
                            ? fmt::format("node {}", cluster.nodes[nodes.front()].name)
                            : fmt::format("the {} nodes of zone {}", nodes.size(),
                                          cluster.nodes[nodes.front()].zone);
    std::string fix =
        "nodeSelectors that match nodes in at least 2 failure domains (or none: every node "
        "running the speaker)";
    switch (announcement.kind) {
      case Kind::kL2Advertisement:
      case Kind::kBgpAdvertisement: {
        bool l2 = announcement.kind == Kind::kL2Advertisement;
        out.push_back(
            {"lb-announcer-one-domain", object_name(announcement), announcement.where,
             fmt::format(
                 "{} only from {}: when it fails {}, and every LoadBalancer Service of "
                 "them is unreachable until it returns",
                 fmt::format(fmt::runtime(l2 ? "the addresses of {} may be announced (ARP/NDP)"
                                             : "routes to the addresses of {} are advertised"),
                             pools_of(announcement)),
                 where, l2 ? "no other node takes them over" : "the router withdraws them"),
             fix});
        break;
      }
      case Kind::kMetallbBgpPeer:
      case Kind::kCalicoBgpPeer:
        out.push_back(
            {"bgp-peer-one-domain", object_name(announcement), announcement.where,
             fmt::format("the BGP session with {} is held only from {}: when it fails the "
                         "router loses every route it learned through this peer ({})",
                         announcement.peer_address.empty() ? std::string("the peer")
                                                           : announcement.peer_address,
                         where,
                         announcement.kind == Kind::kCalicoBgpPeer
                             ? "the pod and Service routes Calico advertises"
                             : "the LoadBalancer addresses MetalLB advertises"),
             announcement.kind == Kind::kCalicoBgpPeer
                 ? std::string("a peer per node in at least 2 failure domains, or a "
                               "nodeSelector (or none: every node) instead of spec.node")
                 : fix});
        break;
    }
  }
}

}  // namespace zerospof::analysis
