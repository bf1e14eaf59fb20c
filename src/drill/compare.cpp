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

util::Result<ComparedDrill> drill_compared(const model::Cluster& cluster,
                                           const std::vector<model::TuningProfile>& others,
                                           TuningSwitch& tunings, const DrillOfCluster& drill,
                                           const std::function<void(const std::string&)>& progress,
                                           const std::function<bool()>& stop_requested) {
  ZEROSPOF_RETURN_IF_ERROR(validate_comparison(cluster, others));
  ZEROSPOF_ASSIGN_OR_RETURN(DrillReport report, drill(cluster));
  ComparedDrill result{.report = std::move(report)};
  // A stop ends the comparison where it is: no other tuning is applied or drilled after it.
  auto stopped = [&] {
    if (stop_requested()) result.report.interrupted = true;
    return result.report.interrupted;
  };
  bool switched = false;
  for (model::TuningProfile profile : others) {
    if (stopped()) break;
    const char* name = model::to_string(profile);
    model::Cluster variant = cluster;
    variant.tuning = model::Tuning::of(profile);
    progress(
        fmt::format("compare: applying tuning {} (a rolling apply, one node at a time)", name));
    switched = true;
    if (auto applied = tunings.switch_to(variant); !applied) {
      result.report.notes.push_back(fmt::format("tuning {}: not drilled; applying it failed: {}",
                                                name, util::format_error(applied.error())));
      break;
    }
    if (stopped()) break;
    progress(fmt::format("compare: drilling with tuning {}", name));
    auto compared = drill(variant);
    if (!compared) {
      result.report.notes.push_back(fmt::format("tuning {}: the drill did not run: {}", name,
                                                util::format_error(compared.error())));
      continue;
    }
    result.report.interrupted = result.report.interrupted || compared->interrupted;
    result.report.compared.push_back(std::move(*compared));
  }
  // Once a switch was tried the plan's tuning goes back on: even one that failed may have
  // changed some nodes. Also after a stop (said, for a second Ctrl-C would leave it half done).
  result.switched = switched;
  if (switched) {
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
