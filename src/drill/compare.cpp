#include "drill/compare.h"

#include <fmt/format.h>

namespace zerospof::drill {

util::Status validate_comparison(const model::Cluster& cluster,
                                 const std::vector<model::TuningProfile>& others) {
  for (model::TuningProfile profile : others)
    if (model::Tuning::of(profile) == cluster.tuning)
      return util::fail(util::Error::invalid_input(
          fmt::format("--compare-tuning {}: the plan's tuning is that profile already, so the "
                      "comparison would drill the same cluster twice",
                      model::to_string(profile)),
          {},
          fmt::format("compare with the other profile ({})",
                      profile == model::TuningProfile::kFast ? "kubeadm-guide" : "fast")));
  return {};
}

util::Result<ComparedDrill> drill_compared(
    const model::Cluster& cluster, const std::vector<model::TuningProfile>& others,
    TuningSwitch& tunings, const DrillOfCluster& drill,
    const std::function<void(const std::string&)>& progress) {
  ZEROSPOF_RETURN_IF_ERROR(validate_comparison(cluster, others));
  ZEROSPOF_ASSIGN_OR_RETURN(DrillReport report, drill(cluster));
  ComparedDrill result{.report = std::move(report)};
  // Stopped by the operator under the plan's tuning: nothing was switched, nothing more runs.
  if (result.report.interrupted) return result;
  for (model::TuningProfile profile : others) {
    const char* name = model::to_string(profile);
    model::Cluster variant = cluster;
    variant.tuning = model::Tuning::of(profile);
    progress(
        fmt::format("compare: applying tuning {} (a rolling apply, one node at a time)", name));
    if (auto applied = tunings.switch_to(variant); !applied) {
      result.report.notes.push_back(fmt::format("tuning {}: not drilled; applying it failed: {}",
                                                name, util::format_error(applied.error())));
      break;
    }
    progress(fmt::format("compare: drilling with tuning {}", name));
    auto compared = drill(variant);
    if (!compared) {
      result.report.notes.push_back(fmt::format("tuning {}: the drill did not run: {}", name,
                                                util::format_error(compared.error())));
      continue;
    }
    const bool stopped = compared->interrupted;
    result.report.compared.push_back(std::move(*compared));
    if (stopped) {
      result.report.interrupted = true;
      break;
    }
  }
  // Once a switch was tried the plan's tuning goes back on: even one that failed may have
  // changed some nodes.
  if (!others.empty()) {
    progress(fmt::format(
        "compare: applying the plan's own tuning ({}) again{}",
        model::to_string(cluster.tuning.profile),
        result.report.interrupted
            ? " (stopped by the operator; a second Ctrl-C quits now and leaves the other tuning "
              "in place, which `zerospof apply PLAN` replaces)"
            : ""));
    result.restored = tunings.switch_to(cluster);
    if (!result.restored)
      result.report.notes.push_back(fmt::format(
          "the cluster could not be given the plan's tuning back, and runs another: {}; run "
          "`zerospof apply` with the plan",
          util::format_error(result.restored.error())));
  }
  return result;
}

}  // namespace zerospof::drill
