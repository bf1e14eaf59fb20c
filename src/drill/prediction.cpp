#include "drill/prediction.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "render/layout.h"

namespace zerospof::drill {

namespace {

namespace layout = render::layout;

std::optional<analysis::Component> component_of(const std::string& unit) {
  if (unit == layout::kApiserverUnit) return analysis::Component::kApiserver;
  if (unit == layout::kEtcdUnit) return analysis::Component::kEtcd;
  if (unit == layout::kHaproxyUnit) return analysis::Component::kHaproxy;
  if (unit == layout::kKeepalivedUnit) return analysis::Component::kKeepalived;
  if (unit == layout::kSchedulerUnit) return analysis::Component::kScheduler;
  if (unit == layout::kControllerManagerUnit) return analysis::Component::kControllerManager;
  return std::nullopt;
}

analysis::Options options_for(const model::Cluster& cluster) {
  analysis::Options options;
  // Two nodes down at once is the largest failure a drill scenario makes.
  options.failures = std::min<int>(2, static_cast<int>(cluster.nodes.size()));
  return options;
}

// The services the API's availability rests on, in check's words.
bool api_service(const std::string& service) {
  return service == "api-endpoint" || service == "kube-apiserver" || service == "etcd";
}

}  // namespace

Predictor::Predictor(const model::Cluster& cluster)
    : report_(analysis::analyse(cluster, {}, options_for(cluster))) {}

std::optional<std::size_t> Predictor::find(const Scenario& scenario,
                                           const std::vector<std::string>& targets) const {
  if (report_.zones) return std::nullopt;  // domains are zones: no scenario is one node's
  auto index_of = [&](const std::string& node) -> std::optional<int> {
    auto found = std::find(report_.node_names.begin(), report_.node_names.end(), node);
    if (found == report_.node_names.end()) return std::nullopt;
    return static_cast<int>(found - report_.node_names.begin());
  };
  std::vector<int> domains;
  for (const std::string& target : targets) {
    auto index = index_of(target);
    if (!index) return std::nullopt;
    domains.push_back(*index);
  }
  std::sort(domains.begin(), domains.end());
  std::vector<int> others;
  for (int i = 0; i < static_cast<int>(report_.node_names.size()); ++i)
    if (!std::binary_search(domains.begin(), domains.end(), i)) others.push_back(i);
  std::optional<analysis::Component> component = component_of(scenario.unit);
  for (std::size_t i = 0; i < report_.scenarios.size(); ++i) {
    const analysis::Scenario& candidate = report_.scenarios[i];
    std::vector<int> sorted = candidate.domains;
    std::sort(sorted.begin(), sorted.end());
    switch (scenario.fault) {
      case FaultKind::kHostDown:
        if (candidate.kind == analysis::ScenarioKind::kDomainsDown && sorted == domains) return i;
        break;
      case FaultKind::kPartition:
        if (candidate.kind == analysis::ScenarioKind::kPartition &&
            (sorted == domains || sorted == others))
          return i;
        break;
      case FaultKind::kStopService:
      case FaultKind::kKillProcess:
      case FaultKind::kPauseProcess:
        if (candidate.kind == analysis::ScenarioKind::kComponentStopped && component &&
            candidate.component == *component && domains.size() == 1 &&
            candidate.node == domains.front())
          return i;
        break;
    }
  }
  return std::nullopt;
}

std::optional<CheckPrediction> Predictor::predict(const Scenario& scenario,
                                                  const std::vector<std::string>& targets) const {
  auto index = find(scenario, targets);
  if (!index || *index >= report_.results.size()) return std::nullopt;
  const analysis::ScenarioResult& result = report_.results[*index];
  CheckPrediction prediction{.scenario = report_.scenario_name(report_.scenarios[*index]),
                             .worst = analysis::to_string(result.worst),
                             .services = {}};
  for (const analysis::Verdict& verdict : result.verdicts)
    for (int service : report_.subjects[static_cast<std::size_t>(verdict.subject)].services)
      prediction.services.push_back(
          {.service = report_.services[static_cast<std::size_t>(service)].name,
           .health = analysis::to_string(verdict.health),
           .reason = report_.reason_text(verdict)});
  return prediction;
}

std::optional<std::string> contradiction(const CheckPrediction& prediction,
                                         const ScenarioResult& result) {
  std::optional<double> outage;
  for (const ProbeRecord& probe : result.probes)
    if (probe.name == "api-write") outage = probe.unavailable_ms;
  if (!outage) return std::nullopt;
  std::vector<std::string> down;
  for (const ServicePrediction& service : prediction.services)
    if (api_service(service.service) && service.health == "down") down.push_back(service.service);
  bool within = *outage <= std::max(result.predicted_outage_ms, 1000.0);
  if (!down.empty() && within)
    return fmt::format(
        "check predicted {} down in \"{}\", yet api-write answered again after {:.2f} s",
        fmt::format("{}", fmt::join(down, ", ")), prediction.scenario, *outage / 1000);
  if (down.empty() && !within)
    return fmt::format(
        "check predicted the API kept in \"{}\" ({}), yet api-write was unavailable {:.2f} s, "
        "over the budget",
        prediction.scenario, prediction.worst, *outage / 1000);
  return std::nullopt;
}

}  // namespace zerospof::drill
