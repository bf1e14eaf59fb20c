// The workloads and budgets zerospof itself deploys for a plan, modelled as render will write
// them: redundant by construction (replicas from the plan, required anti-affinity on the
// hostname, a PodDisruptionBudget, probes), except the few upstream controllers that are built
// to run as a single instance, which are marked as controllers. Internal to analysis.
#pragma once

#include "model/cluster.h"
#include "model/workload.h"

namespace zerospof::analysis {

model::Manifests deployed_addons(const model::Cluster& cluster);

// The nodes that hold storage replicas: the storage role, or every worker when no node has it.
std::vector<int> storage_nodes(const model::Cluster& cluster);

}  // namespace zerospof::analysis
