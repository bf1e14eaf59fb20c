// What is alive in one scenario, as the rules see it: which hosts are gone (crashed, or on the
// other side of a partition), which nodes lost their pods (host gone, kubelet stopped, node cut
// off from the API), and at most one stopped component. Reused across scenarios: reset() undoes
// only what the last scenario set, so a scenario costs what it touches. Internal to analysis.
#pragma once

#include <vector>

#include "analysis/analysis.h"

namespace zerospof::analysis {

class Liveness {
 public:
  explicit Liveness(int node_count)
      : host_dead_(node_count), pods_lost_(node_count), stopped_for_good_(node_count) {}

  // A component stopped in every scenario (already stopped on a live cluster); reset() keeps it.
  void stop_for_good(int node, Component component) {
    stopped_for_good_[node] |= 1u << static_cast<unsigned>(component);
  }

  void kill_host(int node) {
    if (!host_dead_[node]) dead_hosts_.push_back(node), host_dead_[node] = 1;
    lose_pods(node);
  }
  void lose_pods(int node) {
    if (!pods_lost_[node]) lost_pods_.push_back(node), pods_lost_[node] = 1;
  }
  void stop(int node, Component component) {
    stopped_node_ = node;
    stopped_ = component;
  }
  void reset() {
    for (int node : dead_hosts_) host_dead_[node] = 0;
    for (int node : lost_pods_) pods_lost_[node] = 0;
    dead_hosts_.clear();
    lost_pods_.clear();
    stopped_node_ = -1;
  }

  bool host_dead(int node) const { return host_dead_[node]; }
  bool pods_lost(int node) const { return pods_lost_[node]; }
  bool running(int node, Component component) const {
    return !host_dead_[node] && !(stopped_node_ == node && stopped_ == component) &&
           !(stopped_for_good_[node] & (1u << static_cast<unsigned>(component)));
  }
  const std::vector<int>& lost_pod_nodes() const { return lost_pods_; }
  const std::vector<int>& dead_hosts() const { return dead_hosts_; }
  int stopped_node() const { return stopped_node_; }
  Component stopped_component() const { return stopped_; }

 private:
  std::vector<char> host_dead_, pods_lost_;
  std::vector<unsigned> stopped_for_good_;  // a bit per Component
  std::vector<int> dead_hosts_, lost_pods_;
  int stopped_node_ = -1;
  Component stopped_ = Component::kEtcd;
};

}  // namespace zerospof::analysis
