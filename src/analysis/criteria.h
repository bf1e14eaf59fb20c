// The success criteria of cluster-plan.md that a static analysis can judge, each pass or fail
// with its reason (the others are listed as judged by `drill`), and the notes a user needs
// about the plan: what could not be verified and what was assumed. Internal to analysis.
#pragma once

#include "analysis/analysis.h"
#include "analysis/engine.h"
#include "model/cluster.h"
#include "model/workload.h"

namespace zerospof::analysis {

void judge_criteria(const model::Cluster& cluster, const model::Manifests& all,
                    const Engine& engine, Report& report);

}  // namespace zerospof::analysis
