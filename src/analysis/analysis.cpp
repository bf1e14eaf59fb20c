#include "analysis/analysis.h"

#include <set>

#include "analysis/addons.h"
#include "analysis/criteria.h"
#include "analysis/engine.h"
#include "analysis/findings.h"

namespace zerospof::analysis {

const char* to_string(Health health) {
  switch (health) {
    case Health::kOk:
      return "ok";
    case Health::kDegraded:
      return "degraded";
    case Health::kDown:
      return "down";
  }
  return "?";
}

const char* to_string(Component component) {
  switch (component) {
    case Component::kEtcd:
      return "etcd";
    case Component::kApiserver:
      return "kube-apiserver";
    case Component::kScheduler:
      return "kube-scheduler";
    case Component::kControllerManager:
      return "kube-controller-manager";
    case Component::kHaproxy:
      return "haproxy";
    case Component::kKeepalived:
      return "keepalived";
    case Component::kKubelet:
      return "kubelet";
  }
  return "?";
}

bool Report::any_down() const {
  for (const ServiceSummary& summary : summaries)
    if (summary.worst == Health::kDown) return true;
  return false;
}

namespace {

// Summaries are kept per subject during the run (a group of a thousand workloads costs one
// comparison per scenario) and copied to each member service at the end.
void record(Report& report, std::vector<ServiceSummary>& subjects, const Scenario& scenario,
            const ScenarioResult& result, const Options& options, long& listed_verdicts) {
  report.scenario_count += scenario.represents;
  ++report.judged_count;
  report.health_counts[static_cast<int>(result.worst)] += scenario.represents;
  for (const Verdict& verdict : result.verdicts) {
    ServiceSummary& summary = subjects[verdict.subject];
    if (verdict.health <= summary.worst) continue;
    summary.worst = verdict.health;
    summary.scenario = scenario;
    summary.first_verdict = verdict;
  }
  bool wanted = options.keep_ok_scenarios || result.worst != Health::kOk ||
                scenario.kind == ScenarioKind::kBaseline;
  if (!wanted) return;
  bool too_many_scenarios =
      options.detail_limit >= 0 && static_cast<long>(report.results.size()) >= options.detail_limit;
  bool too_many_verdicts =
      options.detail_verdict_limit >= 0 &&
      listed_verdicts + static_cast<long>(result.verdicts.size()) > options.detail_verdict_limit;
  if (too_many_scenarios || too_many_verdicts) {
    if (result.worst != Health::kOk) report.omitted += scenario.represents;
    return;
  }
  listed_verdicts += static_cast<long>(result.verdicts.size());
  ScenarioResult stored = result;
  stored.scenario = static_cast<int>(report.scenarios.size());
  report.scenarios.push_back(scenario);
  report.results.push_back(std::move(stored));
}

}  // namespace

Report analyse(const model::Cluster& cluster, model::Manifests manifests, const Options& options) {
  model::Manifests all = options.rendered_addons ? deployed_addons(cluster) : model::Manifests{};
  // A manifest naming the same workload as an addon is that object as the user deploys it
  // (applied after render's): it replaces the addon rather than counting twice.
  std::set<std::string> given;
  for (const auto& workload : manifests.workloads) given.insert(workload.display_name());
  std::set<std::pair<std::string, std::string>> replaced;  // namespace, name
  std::erase_if(all.workloads, [&](const model::Workload& addon) {
    bool mine = given.count(addon.display_name()) != 0;
    if (mine) replaced.insert({addon.namespace_name, addon.name});
    return mine;
  });
  std::erase_if(all.budgets, [&](const model::DisruptionBudget& budget) {
    return replaced.count({budget.namespace_name, budget.name}) != 0;
  });
  auto append = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  append(all.workloads, manifests.workloads);
  append(all.budgets, manifests.budgets);
  append(all.services, manifests.services);
  all.webhooks = std::move(manifests.webhooks);
  all.volumes = std::move(manifests.volumes);
  all.claims = std::move(manifests.claims);
  all.storage_classes = std::move(manifests.storage_classes);
  all.unmodelled = std::move(manifests.unmodelled);
  all.announcements = std::move(manifests.announcements);
  pin_to_volume_nodes(all);
  Engine engine(cluster, all, options);
  Report report;
  report.failures = options.failures;
  for (const model::Node& node : cluster.nodes) report.node_names.push_back(node.name);
  for (const Domain& domain : engine.topology().domains())
    report.domain_names.push_back(domain.name);
  report.zones = engine.topology().zones();
  for (const Domain& feed : engine.topology().power_feeds())
    report.power_feed_names.push_back(feed.name);
  report.services = engine.services();
  report.subjects = engine.subjects();
  report.summaries.resize(report.services.size());
  std::vector<ServiceSummary> subjects(report.subjects.size());
  long listed_verdicts = 0;
  engine.run([&](const Scenario& scenario, ScenarioResult& result) {
    record(report, subjects, scenario, result, options, listed_verdicts);
  });
  for (size_t s = 0; s < subjects.size(); ++s)
    for (int service : report.subjects[s].services) report.summaries[service] = subjects[s];
  const InterchangeableNodes& interchangeable = engine.interchangeable_nodes();
  for (int c = 0; c < interchangeable.class_count(); ++c)
    if (interchangeable.members(c).size() > 1)
      report.interchangeable_nodes.push_back(interchangeable.members(c));
  report.skipped = engine.skipped();
  report.unmodelled = all.unmodelled;
  judge_criteria(cluster, all, engine, report);
  report.notes.insert(report.notes.end(), engine.notes().begin(), engine.notes().end());
  find_blocking_budgets(all, report.findings);
  find_unspread_replicas(cluster, all, report.findings);
  find_node_bound_volumes(all, report.findings);
  find_local_traffic_on_one_node(cluster, all, report.findings);
  find_single_announcers(cluster, all, report.findings, report.notes);
  return report;
}

}  // namespace zerospof::analysis
