// The engine: enumerates the scenarios (baseline; every set of up to K failure domains; each
// component stopped on each node; each power feed down; every bipartition of the domains) and
// evaluates each one.
//
// Implementation note: the textbook approach re-evaluates every rule for every scenario. Here a
// scenario marks only the nodes it kills in a reusable Liveness, the control-plane rules look at
// their few instances, and each eligibility class is visited only when the scenario lost a node
// in it; an untouched class contributes its baseline verdicts, computed once. So a scenario costs
// O(failed nodes x classes + touched groups), whatever the number of pods. And where nodes are
// interchangeable (no rule tells them apart), a set of failed nodes is judged once per multiset
// of node classes (interchangeable_nodes.h), so the number of scenarios judged grows with the
// classes, not with the nodes.
// Internal to analysis.
#pragma once

#include <functional>

#include "analysis/analysis.h"
#include "analysis/control_plane.h"
#include "analysis/interchangeable_nodes.h"
#include "analysis/liveness.h"
#include "analysis/topology.h"
#include "analysis/webhooks.h"
#include "analysis/workloads.h"

namespace zerospof::analysis {

class Engine {
 public:
  Engine(const model::Cluster& cluster, const model::Manifests& manifests, const Options& options);

  // Calls `visit` for each scenario in order of size (baseline, then single failures, then
  // pairs ...), with its result. Returns the number of scenarios evaluated.
  using Visitor = std::function<void(const Scenario&, ScenarioResult&)>;
  long run(const Visitor& visit);

  const std::vector<ServiceInfo>& services() const { return services_; }
  const std::vector<Subject>& subjects() const { return subjects_; }
  const Topology& topology() const { return topology_; }
  const ControlPlane& control_plane() const { return control_plane_; }
  const std::vector<std::string>& skipped() const { return skipped_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const InterchangeableNodes& interchangeable_nodes() const { return interchangeable_nodes_; }

 private:
  void reset_liveness();
  void evaluate(const Scenario& scenario, ScenarioResult& result);
  void evaluate_liveness(ScenarioResult& result);
  void evaluate_partition(const Scenario& scenario, ScenarioResult& result);
  void add(ScenarioResult& result, Verdict verdict) const;
  void enumerate_domain_sets(const Visitor& visit, long& count);
  void enumerate_partitions(const Visitor& visit, long& count);
  void enumerate_component_stops(const Visitor& visit, long& count);
  void judge(Scenario& scenario, const Visitor& visit, long& count);
  std::vector<std::vector<std::int64_t>> node_signatures() const;

  const model::Cluster& cluster_;
  Options options_;
  Topology topology_;
  ControlPlane control_plane_;
  std::vector<ServiceInfo> services_;
  Workloads workloads_;
  std::vector<std::string> notes_;
  Webhooks webhooks_;
  std::vector<Subject> subjects_;
  std::vector<model::ServiceClass> subject_class_;
  std::vector<Verdict> baseline_;  // per group, for untouched classes
  // Per class: what its groups' baseline verdicts add to a scenario that leaves it untouched
  // (through add(): weighed, the ok ones left out); whether any group has an observed placement
  // (then never untouched).
  std::vector<ScenarioResult> untouched_;
  std::vector<char> class_has_placement_;
  Liveness liveness_;
  // What a live cluster has already lost (Options::down_nodes, a stopped kubelet): applied
  // again after every reset.
  std::vector<int> already_down_, already_without_pods_;
  std::vector<Verdict> scratch_;
  std::vector<Verdict> group_verdicts_;  // this scenario's, per group, when webhooks need them
  std::vector<std::string> skipped_;
  InterchangeableNodes interchangeable_nodes_;
  ScenarioResult result_;  // reused across scenarios
};

}  // namespace zerospof::analysis
