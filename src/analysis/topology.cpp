#include "analysis/topology.h"

#include <algorithm>
#include <map>

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

bool Topology::eligible(const model::Workload& workload, int node) const {
  const model::Labels& labels = labels_[node];
  for (const auto& [key, value] : workload.node_selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  if (!workload.node_affinity_terms.empty() &&
      std::none_of(workload.node_affinity_terms.begin(), workload.node_affinity_terms.end(),
                   [&](const auto& term) { return model::matches_all(term, labels); }))
    return false;
  return !control_plane_tainted_[node] || tolerates_control_plane(workload);
}

namespace {

// Workloads with the same placement rules land on the same nodes: the rules, written out, are
// the key, so eligibility is computed once per distinct set of rules, not once per workload.
std::string placement_key(const model::Workload& workload) {
  std::string key;
  for (const auto& [label, value] : workload.node_selector) key += label + "=" + value + ";";
  key += "|";
  for (const auto& term : workload.node_affinity_terms) {
    for (const model::LabelRequirement& requirement : term) {
      key += requirement.key + "/" + std::to_string(static_cast<int>(requirement.op));
      for (const std::string& value : requirement.values) key += "," + value;
      key += ";";
    }
    key += "|";
  }
  return key + (tolerates_control_plane(workload) ? "T" : "F");
}

}  // namespace

int Topology::classify(const model::Workload& workload) {
  std::string key = placement_key(workload);
  if (auto it = class_of_placement_.find(key); it != class_of_placement_.end()) return it->second;
  int index = classify_nodes(workload);
  class_of_placement_.emplace(std::move(key), index);
  return index;
}

int Topology::classify_nodes(const model::Workload& workload) {
  std::vector<char> member(labels_.size());
  for (int node = 0; node < node_count(); ++node) member[node] = eligible(workload, node);
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
