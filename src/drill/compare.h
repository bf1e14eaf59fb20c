// Tunings compared on the live cluster, in one run: the scenarios are drilled with the plan's own
// tuning, then the cluster is re-applied with each other tuning asked for (apply's rolling
// restart, one node at a time, so the switch itself costs no outage) and drilled again with the
// same scenarios and seed, and at the end re-applied with the plan's tuning.
//
// Guarantees: once the cluster was switched away from the plan's tuning it is switched back,
// also when a drill under the other tuning failed, could not start or was stopped by the
// operator (a drill stopped under the plan's tuning switches nothing and ends the comparison); a
// report already made is never thrown away because a later step failed (that step is a note in it);
// whether the cluster is back as the plan says is a value the caller must look at (`restored`).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "drill/record.h"
#include "model/cluster.h"
#include "model/tuning.h"
#include "util/error.h"

namespace zerospof::drill {

// Brings the live cluster to another tuning. The real one renders the plan with it and applies
// the bundle (cli/drill_cmd.cpp); the tests' records what it was asked.
class TuningSwitch {
 public:
  virtual ~TuningSwitch() = default;
  // Applies `cluster` (the plan, its tuning replaced) to the live cluster; returns when apply
  // finished, every step done.
  virtual util::Status switch_to(const model::Cluster& cluster) = 0;
};

// One drill of the live cluster, which runs `cluster` (run_drill with the caller's options).
using DrillOfCluster = std::function<util::Result<DrillReport>(const model::Cluster& cluster)>;

struct ComparedDrill {
  DrillReport report;     // the plan's tuning; report.compared holds the others'
  util::Status restored;  // an error: the cluster could not be given the plan's tuning back
  bool switched = false;  // another tuning was applied (and the plan's then applied again)
};

// Refuses a comparison that would compare nothing: a profile whose timings are the plan's own.
util::Status validate_comparison(const model::Cluster& cluster,
                                 const std::vector<model::TuningProfile>& others);

// The plan's tuning first (an error there is the result: nothing was switched), then each of
// `others` as Tuning::of(profile), the profile's own values with none of the plan's overrides.
// `stop_requested` is asked between the steps: once it is true (or a drill says it was
// interrupted) no tuning is applied or drilled any more, and report.interrupted is set.
util::Result<ComparedDrill> drill_compared(const model::Cluster& cluster,
                                           const std::vector<model::TuningProfile>& others,
                                           TuningSwitch& tunings, const DrillOfCluster& drill,
                                           const std::function<void(const std::string&)>& progress,
                                           const std::function<bool()>& stop_requested);

}  // namespace zerospof::drill
