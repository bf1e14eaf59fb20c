#include "analysis/engine.h"

#include <algorithm>

namespace zerospof::analysis {

namespace {

std::vector<ServiceInfo> control_plane_services(const ControlPlane& control_plane) {
  std::vector<ServiceInfo> services;
  control_plane.describe(services);
  return services;
}

// The verdict weighs "now" and "after recovery" by what the service is: users notice a data
// path gap at once, while a controller that is rescheduled in time is only degraded.
Health weigh(const Verdict& verdict, model::ServiceClass service_class) {
  if (service_class != model::ServiceClass::kController)
    return std::max(verdict.now, verdict.after);
  Health blip = verdict.now == Health::kOk ? Health::kOk : Health::kDegraded;
  return std::max(verdict.after, blip);
}

}  // namespace

Engine::Engine(const model::Cluster& cluster, const model::Manifests& manifests,
               const Options& options)
    : cluster_(cluster),
      options_(options),
      topology_(cluster),
      control_plane_(cluster),
      services_(control_plane_services(control_plane_)),
      workloads_(manifests.workloads, topology_, services_, control_plane_.subject_count()),
      webhooks_(manifests, workloads_, services_,
                control_plane_.subject_count() + static_cast<int>(workloads_.groups().size()),
                notes_),
      liveness_(topology_.node_count()) {
  for (int i = 0; i < control_plane_.subject_count(); ++i) {
    subjects_.push_back(Subject{{i}});
    subject_class_.push_back(services_[i].service_class);
  }
  for (const WorkloadGroup& group : workloads_.groups()) {
    subjects_.push_back(Subject{group.services});
    subject_class_.push_back(group.service_class);
  }
  for (int w = 0; w < webhooks_.size(); ++w) {
    subjects_.push_back(Subject{{webhooks_.service(w)}});
    subject_class_.push_back(model::ServiceClass::kControlPlane);
  }
  if (!webhooks_.empty()) group_verdicts_.resize(workloads_.groups().size());
  for (const std::string& name : options.down_nodes)
    if (int node = topology_.node_index(name); node >= 0) already_down_.push_back(node);
  for (const auto& [name, component] : options.stopped) {
    int node = topology_.node_index(name);
    if (node < 0) continue;
    liveness_.stop_for_good(node, component);
    if (component == Component::kKubelet) already_without_pods_.push_back(node);
  }
  for (size_t g = 0; g < workloads_.groups().size(); ++g) {
    int eligibility_class = workloads_.groups()[g].eligibility_class;
    baseline_.push_back(workloads_.evaluate(
        static_cast<int>(g), workloads_.baseline_state(eligibility_class), true, liveness_));
  }
  // What an untouched class adds to every scenario, weighed once.
  const std::size_t class_count = topology_.classes().size();
  untouched_.resize(class_count);
  class_has_placement_.assign(class_count, 0);
  for (std::size_t c = 0; c < class_count; ++c)
    for (int group : workloads_.groups_of_class(static_cast<int>(c))) {
      class_has_placement_[c] |= workloads_.has_placement(group) ? 1 : 0;
      add(untouched_[c], baseline_[group]);
    }
  if (options.merge_interchangeable_nodes)
    interchangeable_nodes_ = InterchangeableNodes(topology_.node_count(), node_signatures());
  else
    interchangeable_nodes_ = InterchangeableNodes(topology_.node_count());
}

// Everything a rule can tell a node by; nodes with equal signatures are interchangeable. A node
// that a rule names on its own (an etcd member, a control-plane node, a route reflector, one
// already down or holding observed pods) gets a signature of its own. The rest are told apart
// only by counts: their zone (in a plan without zones each node is a zone of its own, the same
// for all of them), being a storage node, their capacity, and which eligibility classes hold
// them, which is what every workload's labels, selectors, affinities and taints come down to.
// Their power feed is not in it: a feed's scenario fails the feed's own nodes, whatever their
// class, and a workload that selects by the feed's label makes a class of its own anyway.
std::vector<std::vector<std::int64_t>> Engine::node_signatures() const {
  const int node_count = topology_.node_count();
  std::vector<char> alone(node_count);
  for (int node = 0; node < node_count; ++node) alone[node] = control_plane_.named_by_rules(node);
  for (int node : already_down_) alone[node] = 1;
  for (const auto& [name, component] : options_.stopped)
    if (int node = topology_.node_index(name); node >= 0) alone[node] = 1;
  for (int node : workloads_.placed_nodes()) alone[node] = 1;
  std::vector<std::vector<std::int64_t>> signatures(node_count);
  for (int node = 0; node < node_count; ++node)
    signatures[node] = {alone[node] ? node : -1, topology_.zones() ? topology_.zone_of(node) : -1,
                        control_plane_.is_storage_node(node) ? 1 : 0,
                        topology_.cpu_millicores(node), topology_.memory_bytes(node)};
  const auto& classes = topology_.classes();
  for (std::size_t c = 0; c < classes.size(); ++c)
    for (int node : classes[c].nodes) signatures[node].push_back(static_cast<std::int64_t>(c));
  return signatures;
}

void Engine::add(ScenarioResult& result, Verdict verdict) const {
  verdict.health = weigh(verdict, subject_class_[verdict.subject]);
  if (verdict.health == Health::kOk) return;
  result.worst = std::max(result.worst, verdict.health);
  result.verdicts.push_back(verdict);
}

void Engine::evaluate_liveness(ScenarioResult& result) {
  ControlPlane::Outcome outcome = control_plane_.evaluate(liveness_, scratch_);
  for (const Verdict& verdict : scratch_) add(result, verdict);
  const auto& classes = topology_.classes();
  for (size_t c = 0; c < classes.size(); ++c) {
    ClassState state = workloads_.class_state(static_cast<int>(c), liveness_);
    bool touched = state.lost_nodes > 0;
    if (!touched && !class_has_placement_[c] && webhooks_.empty()) {
      // Most classes in most scenarios: their baseline, without visiting each group.
      result.worst = std::max(result.worst, untouched_[c].worst);
      result.verdicts.insert(result.verdicts.end(), untouched_[c].verdicts.begin(),
                             untouched_[c].verdicts.end());
      continue;
    }
    for (int group : workloads_.groups_of_class(static_cast<int>(c))) {
      // An observed placement may hold pods outside the class (a node the constraints no
      // longer allow), so its verdict is never the untouched baseline.
      Verdict verdict = touched || workloads_.has_placement(group)
                            ? workloads_.evaluate(group, state, outcome.scheduling_up, liveness_)
                            : baseline_[group];
      if (!webhooks_.empty()) group_verdicts_[group] = verdict;
      add(result, verdict);
    }
  }
  // Webhook subjects follow every group, so their verdicts keep the result in subject order.
  for (int w = 0; w < webhooks_.size(); ++w) add(result, webhooks_.evaluate(w, group_verdicts_));
}

void Engine::reset_liveness() {
  liveness_.reset();
  for (int node : already_down_) liveness_.kill_host(node);
  for (int node : already_without_pods_) liveness_.lose_pods(node);
}

void Engine::evaluate(const Scenario& scenario, ScenarioResult& result) {
  reset_liveness();
  result.worst = Health::kOk;
  result.verdicts.clear();
  switch (scenario.kind) {
    case ScenarioKind::kBaseline:
      break;
    case ScenarioKind::kDomainsDown:
      for (int domain : scenario.domains)
        for (int node : topology_.domains()[domain].nodes) liveness_.kill_host(node);
      break;
    case ScenarioKind::kPowerFeedDown:
      for (int node : topology_.power_feeds()[scenario.power_feed].nodes) liveness_.kill_host(node);
      break;
    case ScenarioKind::kComponentStopped:
      liveness_.stop(scenario.node, scenario.component);
      // Without its kubelet, or in local-proxy mode without its proxy, the node goes NotReady
      // and its pods are evicted, while systemd keeps the control-plane services running.
      if (scenario.component == Component::kKubelet ||
          (scenario.component == Component::kHaproxy &&
           cluster_.endpoint.mode == model::EndpointMode::kLocalProxy))
        liveness_.lose_pods(scenario.node);
      break;
    case ScenarioKind::kPartition:
      evaluate_partition(scenario, result);
      return;
  }
  evaluate_liveness(result);
}

// Each side sees the other side's hosts as gone. The side that keeps a working control plane
// (only one can have an etcd majority) is the cluster; what the other side loses is degraded.
// Only when neither side has a control plane does the partition take the API down.
void Engine::evaluate_partition(const Scenario& scenario, ScenarioResult& result) {
  std::vector<char> on_side_a(topology_.node_count());
  for (int domain : scenario.domains)
    for (int node : topology_.domains()[domain].nodes) on_side_a[node] = 1;
  auto cut_off = [&](bool keep_side_a) {
    reset_liveness();
    for (int node = 0; node < topology_.node_count(); ++node)
      if (static_cast<bool>(on_side_a[node]) != keep_side_a) liveness_.kill_host(node);
    return control_plane_.evaluate(liveness_, scratch_).api_up;
  };
  bool a_up = cut_off(true);
  bool b_up = cut_off(false);
  cut_off(a_up || !b_up);
  evaluate_liveness(result);
  bool any_side_up = a_up || b_up;
  const auto& holders = control_plane_.vip_holders();
  bool holders_on_a =
      std::any_of(holders.begin(), holders.end(), [&](int n) { return on_side_a[n]; });
  bool holders_on_b =
      std::any_of(holders.begin(), holders.end(), [&](int n) { return !on_side_a[n]; });
  result.worst = Health::kOk;
  for (Verdict& verdict : result.verdicts) {
    bool control = verdict.subject < control_plane_.subject_count() &&
                   control_plane_.is_control_plane_subject(verdict.subject);
    if (any_side_up || !control) verdict.health = std::min(verdict.health, Health::kDegraded);
    if (verdict.subject == ControlPlane::kEndpointSubject && any_side_up &&
        verdict.health != Health::kDown)
      verdict.reason =
          holders_on_a && holders_on_b ? Reason::kVipSplitBrain : Reason::kPartitionMinority;
    result.worst = std::max(result.worst, verdict.health);
  }
  if (any_side_up &&
      std::none_of(result.verdicts.begin(), result.verdicts.end(),
                   [](const Verdict& v) { return v.subject == ControlPlane::kEndpointSubject; })) {
    Verdict minority;
    minority.subject = ControlPlane::kEndpointSubject;
    minority.now = minority.after = minority.health = Health::kDegraded;
    minority.reason =
        holders_on_a && holders_on_b ? Reason::kVipSplitBrain : Reason::kPartitionMinority;
    result.verdicts.insert(result.verdicts.begin(), minority);
    result.worst = std::max(result.worst, Health::kDegraded);
  }
}

void Engine::judge(Scenario& scenario, const Visitor& visit, long& count) {
  evaluate(scenario, result_);
  visit(scenario, result_);
  ++count;
}

void Engine::enumerate_domain_sets(const Visitor& visit, long& count) {
  int domains = static_cast<int>(topology_.domains().size());
  // Domains are nodes here, so a set of domains is a set of nodes.
  bool merged = interchangeable_nodes_.any_merged() && !topology_.zones();
  for (int size = 1; size <= std::min(options_.failures, domains); ++size) {
    if (merged) {
      interchangeable_nodes_.for_each_representative(
          size, [&](const std::vector<int>& nodes, long weight) {
            Scenario scenario{ScenarioKind::kDomainsDown, nodes, -1, Component::kEtcd, size};
            scenario.represents = weight;
            judge(scenario, visit, count);
          });
    } else {
      // Combinations in lexicographic order: the smallest failing set is found first.
      std::vector<int> chosen(size);
      for (int i = 0; i < size; ++i) chosen[i] = i;
      while (true) {
        Scenario scenario{ScenarioKind::kDomainsDown, chosen, -1, Component::kEtcd, size};
        judge(scenario, visit, count);
        int i = size - 1;
        while (i >= 0 && chosen[i] == domains - size + i) --i;
        if (i < 0) break;
        ++chosen[i];
        for (int j = i + 1; j < size; ++j) chosen[j] = chosen[j - 1] + 1;
      }
    }
    if (size == 1) {
      if (options_.component_stops) enumerate_component_stops(visit, count);
      // A power feed is one failure, whatever the domains its nodes are in.
      for (int feed = 0; feed < static_cast<int>(topology_.power_feeds().size()); ++feed) {
        Scenario scenario{ScenarioKind::kPowerFeedDown, {}, -1, Component::kEtcd, 1, feed};
        judge(scenario, visit, count);
      }
      if (options_.partitions) enumerate_partitions(visit, count);
    }
  }
}

// Each component stopped on each node; on interchangeable nodes, once per class.
void Engine::enumerate_component_stops(const Visitor& visit, long& count) {
  for (int node = 0; node < topology_.node_count(); ++node) {
    if (!interchangeable_nodes_.first_of_class(node)) continue;
    long represents = static_cast<long>(
        interchangeable_nodes_.members(interchangeable_nodes_.class_of(node)).size());
    for (Component component : control_plane_.components_on(node)) {
      Scenario scenario{ScenarioKind::kComponentStopped, {}, node, component, 1};
      scenario.represents = represents;
      judge(scenario, visit, count);
    }
  }
}

// Side A is every non-empty subset of the domains that leaves out the last one, so each
// bipartition is listed once: 2^(n-1) - 1 of them.
void Engine::enumerate_partitions(const Visitor& visit, long& count) {
  int domains = static_cast<int>(topology_.domains().size());
  if (domains < 2) return;
  if (domains > options_.max_partition_domains) {
    skipped_.push_back("network bipartitions: " + std::to_string(domains) +
                       " failure domains make 2^" + std::to_string(domains - 1) +
                       " - 1 splits; give nodes zones to analyse partitions between zones");
    return;
  }
  for (long mask = 1; mask < (1L << (domains - 1)); ++mask) {
    Scenario scenario{ScenarioKind::kPartition, {}, -1, Component::kEtcd, 1};
    for (int d = 0; d < domains - 1; ++d)
      if (mask & (1L << d)) scenario.domains.push_back(d);
    judge(scenario, visit, count);
  }
}

long Engine::run(const Visitor& visit) {
  long count = 0;
  Scenario baseline;
  judge(baseline, visit, count);
  enumerate_domain_sets(visit, count);
  return count;
}

}  // namespace zerospof::analysis
