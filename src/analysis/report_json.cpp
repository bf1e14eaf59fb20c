// The JSON report (schemaVersion 2, documented in docs/check.md). Field names are stable:
// add fields, never rename or remove them without bumping schemaVersion.
//
// Its size is bounded by scenarios times subjects, never scenarios times services: services
// that behave identically in every scenario (a subject of many members) are named once in
// `serviceGroups`, and a scenario's entry for them names the group. Version 1 wrote one entry per
// member, so 5,000 such Deployments over 2,000 listed scenarios made 10 million entries (23 GB).

#include <nlohmann/json.hpp>

#include "analysis/analysis.h"

namespace zerospof::analysis {

namespace {

using nlohmann::json;

const char* class_name(model::ServiceClass service_class) {
  switch (service_class) {
    case model::ServiceClass::kDataPath:
      return "data-path";
    case model::ServiceClass::kControlPlane:
      return "control-plane";
    case model::ServiceClass::kController:
      return "controller";
    case model::ServiceClass::kObservability:
      return "observability";
  }
  return "?";
}

const char* kind_name(ScenarioKind kind) {
  switch (kind) {
    case ScenarioKind::kBaseline:
      return "baseline";
    case ScenarioKind::kDomainsDown:
      return "domains-down";
    case ScenarioKind::kComponentStopped:
      return "component-stopped";
    case ScenarioKind::kPartition:
      return "partition";
    case ScenarioKind::kPowerFeedDown:
      return "power-feed-down";
  }
  return "?";
}

json verdict_json(const Report& report, const Verdict& verdict, int service) {
  return {{"service", report.services[service].name},
          {"health", to_string(verdict.health)},
          {"now", to_string(verdict.now)},
          {"afterRecovery", to_string(verdict.after)},
          {"reason", report.reason_text(verdict)}};
}

json scenario_json(const Report& report, const ScenarioResult& result) {
  const Scenario& scenario = report.scenarios[result.scenario];
  json domains = json::array();
  for (int domain : scenario.domains) domains.push_back(report.domain_names[domain]);
  json services = json::array();
  for (const Verdict& verdict : result.verdicts) {
    const std::vector<int>& members = report.subjects[verdict.subject].services;
    json entry = verdict_json(report, verdict, members.front());
    if (members.size() > 1) {
      entry["group"] = verdict.subject;
      entry["members"] = members.size();
    }
    services.push_back(std::move(entry));
  }
  json out = {{"name", report.scenario_name(scenario)}, {"kind", kind_name(scenario.kind)},
              {"failureCount", scenario.failure_count}, {"domains", domains},
              {"health", to_string(result.worst)},      {"services", services}};
  if (scenario.represents > 1) out["represents"] = scenario.represents;
  if (scenario.kind == ScenarioKind::kPowerFeedDown)
    out["powerFeed"] = report.power_feed_names[scenario.power_feed];
  if (scenario.kind == ScenarioKind::kComponentStopped) {
    out["node"] = report.node_names[scenario.node];
    out["component"] = to_string(scenario.component);
  }
  return out;
}

json criteria_json(const Report& report) {
  json criteria = json::array();
  for (const Criterion& criterion : report.criteria)
    criteria.push_back({{"text", criterion.text},
                        {"result", criterion.result == Criterion::Result::kPass   ? "pass"
                                   : criterion.result == Criterion::Result::kFail ? "fail"
                                                                                  : "not-judged"},
                        {"reason", criterion.reason}});
  return criteria;
}

json findings_json(const Report& report) {
  json findings = json::array();
  for (const Finding& finding : report.findings) {
    json entry = {{"rule", finding.rule},
                  {"object", finding.object},
                  {"reason", finding.reason},
                  {"fix", finding.fix}};
    if (finding.where.known()) entry["location"] = finding.where.to_string();
    findings.push_back(entry);
  }
  return findings;
}

json unmodelled_json(const Report& report) {
  json kinds = json::array();
  for (const model::UnmodelledKind& kind : report.unmodelled) {
    json entry = {{"kind", kind.kind},
                  {"apiVersion", kind.api_version},
                  {"count", kind.count},
                  {"inert", kind.inert}};
    if (kind.first.known()) entry["location"] = kind.first.to_string();
    kinds.push_back(entry);
  }
  return kinds;
}

}  // namespace

std::string format_json(const Report& report) {
  json services = json::array();
  for (const ServiceInfo& service : report.services) {
    json entry = {{"name", service.name},
                  {"class", class_name(service.service_class)},
                  {"description", service.what}};
    if (service.where.known()) entry["location"] = service.where.to_string();
    services.push_back(entry);
  }
  json groups = json::array();
  for (std::size_t subject = 0; subject < report.subjects.size(); ++subject) {
    const std::vector<int>& members = report.subjects[subject].services;
    if (members.size() < 2) continue;
    json names = json::array();
    for (int service : members) names.push_back(report.services[service].name);
    groups.push_back({{"group", subject}, {"services", names}});
  }
  json scenarios = json::array();
  for (const ScenarioResult& result : report.results)
    scenarios.push_back(scenario_json(report, result));
  json counts = {{"ok", report.health_counts[0]},
                 {"degraded", report.health_counts[1]},
                 {"down", report.health_counts[2]}};
  json failures = json::array();
  for (size_t s = 0; s < report.summaries.size(); ++s) {
    const ServiceSummary& summary = report.summaries[s];
    if (summary.worst != Health::kDown) continue;
    const Scenario& scenario = summary.scenario;
    json failure = {{"service", report.services[s].name},
                    {"scenario", report.scenario_name(scenario)},
                    {"failureCount", scenario.failure_count},
                    {"reason", report.reason_text(summary.first_verdict)}};
    if (scenario.represents > 1) failure["represents"] = scenario.represents;
    failures.push_back(std::move(failure));
  }
  json interchangeable = json::array();
  for (const std::vector<int>& members : report.interchangeable_nodes) {
    json names = json::array();
    for (int node : members) names.push_back(report.node_names[node]);
    interchangeable.push_back(std::move(names));
  }
  json out = {{"schemaVersion", 2},
              {"failures", report.failures},
              {"zones", report.zones},
              {"nodes", report.node_names},
              {"failureDomains", report.domain_names},
              {"powerFeeds", report.power_feed_names},
              {"interchangeableNodes", interchangeable},
              {"services", services},
              {"serviceGroups", groups},
              {"scenarios", scenarios},
              {"summary",
               {{"scenarios", report.scenario_count},
                {"judged", report.judged_count},
                {"health", counts},
                {"listed", report.results.size()},
                {"omitted", report.omitted}}},
              {"pointsOfFailure", failures},
              {"criteria", criteria_json(report)},
              {"findings", findings_json(report)},
              {"notes", report.notes},
              {"skipped", report.skipped},
              {"notModelled", unmodelled_json(report)},
              {"verdict", report.any_down() ? "down" : "ok"}};
  return out.dump(2) + "\n";
}

}  // namespace zerospof::analysis
