// Where things can run: the nodes with the labels and taints zerospof gives them, the failure
// domains (zones when the plan has them, else single nodes), the power feeds that cut across
// them, and eligibility classes, the sets of nodes a pod may land on. Workloads that can land on
// the same set share one class, so a scenario looks at each class once, whatever the number of
// workloads in it.
// Internal to the analysis module.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/cluster.h"
#include "model/workload.h"

namespace zerospof::analysis {

struct Domain {
  std::string name;
  std::vector<int> nodes;
};

struct EligibilityClass {
  std::vector<char> member;  // per node
  std::vector<int> nodes;
  int zone_count = 0;               // distinct zones among `nodes`
  std::vector<int> nodes_per_zone;  // per zone index
  bool capacity_known = false;
  std::int64_t cpu_millicores = 0, memory_bytes = 0;  // sum over members
};

class Topology {
 public:
  explicit Topology(const model::Cluster& cluster);

  int node_count() const { return static_cast<int>(labels_.size()); }
  const std::vector<Domain>& domains() const { return domains_; }
  int domain_of(int node) const { return domain_of_node_[node]; }
  int zone_of(int node) const { return zone_of_node_[node]; }
  int zone_count() const { return zone_count_; }
  bool zones() const { return zones_; }
  // The plan's power feeds whose loss is not already a domain's: each a scenario of its own.
  const std::vector<Domain>& power_feeds() const { return power_feeds_; }
  const model::Labels& labels(int node) const { return labels_[node]; }
  // The index of the node named `name`, -1 for a name the plan does not have.
  int node_index(const std::string& name) const {
    auto found = index_of_name_.find(name);
    return found == index_of_name_.end() ? -1 : found->second;
  }
  std::int64_t cpu_millicores(int node) const { return capacity(node).cpu_millicores; }
  std::int64_t memory_bytes(int node) const { return capacity(node).memory_bytes; }

  // The class of nodes `workload` may be scheduled on (interned: equal sets, equal index).
  int classify(const model::Workload& workload);
  const std::vector<EligibilityClass>& classes() const { return classes_; }
  EligibilityClass& class_at(int index) { return classes_[index]; }

 private:
  void add_power_feeds(const model::Cluster& cluster);
  bool eligible(const model::Workload& workload, const model::TermsMatcher& affinity,
                int node) const;
  int classify_nodes(const model::Workload& workload);
  model::Capacity capacity(int node) const {
    return cluster_.nodes[node].capacity.value_or(model::Capacity{});
  }

  const model::Cluster& cluster_;
  std::vector<model::Labels> labels_;
  std::unordered_map<std::string, int> index_of_name_;
  std::vector<char> control_plane_tainted_;
  std::vector<Domain> domains_, power_feeds_;
  std::vector<int> domain_of_node_, zone_of_node_;
  int zone_count_ = 0;
  bool zones_ = false;
  std::vector<EligibilityClass> classes_;
  // What decides where a workload may run, kept once per eligibility class found.
  struct PlacementRules {
    model::Labels node_selector;
    std::vector<std::vector<model::LabelRequirement>> node_affinity_terms;
    bool tolerates_control_plane = false;
  };
  static PlacementRules placement_rules(const model::Workload& workload);
  // By the rules' hash: the rules of that hash, and their class.
  std::unordered_map<std::uint64_t, std::vector<std::pair<PlacementRules, int>>>
      class_of_placement_;
};

}  // namespace zerospof::analysis
