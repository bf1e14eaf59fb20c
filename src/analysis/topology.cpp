#include "analysis/topology.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string_view>

#include "analysis/addons.h"

namespace zerospof::analysis {

namespace {

constexpr const char* kControlPlaneTaint = "node-role.kubernetes.io/control-plane";

bool tolerates_control_plane(const model::Workload& workload) {
  return std::any_of(workload.tolerations.begin(), workload.tolerations.end(), [](const auto& t) {
    bool key = t.key.empty() ? t.exists : t.key == kControlPlaneTaint;
    return key && (t.effect.empty() || t.effect == "NoSchedule");
  });
}

}  // namespace

// Labels as zerospof's node agents register them; nodes that are control plane but not worker
// carry the control-plane NoSchedule taint, as kubeadm and k0s set it.
Topology::Topology(const model::Cluster& cluster) : cluster_(cluster) {
  std::map<std::string, int> zone_index;
  for (const model::Node& node : cluster.nodes) {
    model::Labels labels{{"kubernetes.io/hostname", node.name}, {"kubernetes.io/os", "linux"}};
    if (node.has_role(model::Role::kControlPlane)) labels[kControlPlaneTaint] = "";
    if (node.has_role(model::Role::kWorker)) labels["node-role.kubernetes.io/worker"] = "";
    if (!node.zone.empty()) labels["topology.kubernetes.io/zone"] = node.zone;
    if (!node.power_feed.empty()) labels[model::kPowerFeedLabel] = node.power_feed;
    index_of_name_.emplace(node.name, static_cast<int>(labels_.size()));
    labels_.push_back(std::move(labels));
    control_plane_tainted_.push_back(node.has_role(model::Role::kControlPlane) &&
                                     !node.has_role(model::Role::kWorker));
    zones_ = zones_ || !node.zone.empty();
  }
  for (int node : storage_nodes(cluster))
    labels_[node]["node.longhorn.io/create-default-disk"] = "true";
  for (size_t i = 0; i < cluster.nodes.size(); ++i) {
    // A node without a zone in a zoned plan is a failure domain of its own.
    const std::string& zone =
        cluster.nodes[i].zone.empty() ? cluster.nodes[i].name : cluster.nodes[i].zone;
    auto [it, added] = zone_index.emplace(zone, static_cast<int>(domains_.size()));
    if (added) domains_.push_back(Domain{zone, {}});
    domains_[it->second].nodes.push_back(static_cast<int>(i));
    domain_of_node_.push_back(it->second);
  }
  zone_of_node_ = domain_of_node_;
  zone_count_ = static_cast<int>(domains_.size());
  add_power_feeds(cluster);
}

// A feed whose nodes are exactly one failure domain's adds nothing: losing it is that domain's
// scenario already.
void Topology::add_power_feeds(const model::Cluster& cluster) {
  std::map<std::string, int> feed_index;
  for (size_t i = 0; i < cluster.nodes.size(); ++i) {
    const std::string& feed = cluster.nodes[i].power_feed;
    if (feed.empty()) continue;
    auto [it, added] = feed_index.emplace(feed, static_cast<int>(power_feeds_.size()));
    if (added) power_feeds_.push_back(Domain{feed, {}});
    power_feeds_[it->second].nodes.push_back(static_cast<int>(i));
  }
  std::erase_if(power_feeds_, [&](const Domain& feed) {
    return std::any_of(domains_.begin(), domains_.end(),
                       [&](const Domain& domain) { return domain.nodes == feed.nodes; });
  });
}

bool Topology::eligible(const model::Workload& workload, const model::TermsMatcher& affinity,
                        int node) const {
  const model::Labels& labels = labels_[node];
  for (const auto& [key, value] : workload.node_selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  if (!affinity.matches(labels)) return false;
  return !control_plane_tainted_[node] || tolerates_control_plane(workload);
}

// Workloads with the same placement rules land on the same nodes, so eligibility is computed
// once per distinct set of rules, not once per workload. The rules are hashed where they are
// (a node pool written as a list of 500 host names, for 30,000 workloads, was 200 MB of keys
// written out) and compared in full only against the rules of the same hash.
Topology::PlacementRules Topology::placement_rules(const model::Workload& workload) {
  return {workload.node_selector, workload.node_affinity_terms, tolerates_control_plane(workload)};
}

namespace {

std::uint64_t placement_hash(const model::Workload& workload) {
  std::uint64_t hash = 0;
  auto mix = [&hash](std::string_view text) {
    hash ^= std::hash<std::string_view>{}(text) + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  };
  for (const auto& [label, value] : workload.node_selector) mix(label), mix(value);
  for (const auto& term : workload.node_affinity_terms) {
    mix("|");
    for (const model::LabelRequirement& requirement : term) {
      mix(requirement.key);
      const char op = static_cast<char>('0' + static_cast<int>(requirement.op));
      mix(std::string_view(&op, 1));
      for (const std::string& value : requirement.values) mix(value);
      mix(";");
    }
  }
  mix(tolerates_control_plane(workload) ? "T" : "F");
  return hash;
}

}  // namespace

int Topology::classify(const model::Workload& workload) {
  std::vector<std::pair<PlacementRules, int>>& same_hash =
      class_of_placement_[placement_hash(workload)];
  for (const auto& [rules, index] : same_hash)
    if (rules.node_selector == workload.node_selector &&
        rules.node_affinity_terms == workload.node_affinity_terms &&
        rules.tolerates_control_plane == tolerates_control_plane(workload))
      return index;
  int index = classify_nodes(workload);
  same_hash.emplace_back(placement_rules(workload), index);
  return index;
}

int Topology::classify_nodes(const model::Workload& workload) {
  std::vector<char> member(labels_.size());
  const model::TermsMatcher affinity(workload.node_affinity_terms);
  for (int node = 0; node < node_count(); ++node) member[node] = eligible(workload, affinity, node);
  for (size_t i = 0; i < classes_.size(); ++i)
    if (classes_[i].member == member) return static_cast<int>(i);
  EligibilityClass added;
  added.member = std::move(member);
  added.nodes_per_zone.assign(zone_count_, 0);
  added.capacity_known = true;
  for (int node = 0; node < node_count(); ++node) {
    if (!added.member[node]) continue;
    added.nodes.push_back(node);
    if (added.nodes_per_zone[zone_of_node_[node]]++ == 0) ++added.zone_count;
    const auto& capacity = cluster_.nodes[node].capacity;
    added.capacity_known = added.capacity_known && capacity.has_value();
    if (capacity) {
      added.cpu_millicores += capacity->cpu_millicores;
      added.memory_bytes += capacity->memory_bytes;
    }
  }
  classes_.push_back(std::move(added));
  return static_cast<int>(classes_.size()) - 1;
}

}  // namespace zerospof::analysis
