// The Kubernetes manifests zerospof deploys (host "", below layout::kManifestDir, applied in
// file-name order): CoreDNS rendered here, the pinned upstream addons patched for HA
// (upstream.h), PodDisruptionBudgets for every critical service, storage classes and a default
// NetworkPolicy set. They match what `zerospof check` models (src/analysis/addons.cpp):
// replicas from the plan, required anti-affinity on the hostname, a PDB and probes.
#pragma once

#include <string>

#include "model/cluster.h"

namespace zerospof::render {

// Each as one multi-document YAML text.
std::string coredns_manifest(const model::Cluster& cluster);
std::string disruption_budgets_manifest(const model::Cluster& cluster);
std::string network_policies_manifest(const model::Cluster& cluster);
std::string storage_manifest(const model::Cluster& cluster);  // "" without a storage provider

// A PodDisruptionBudget allowing one pod of `labels` (k: v, comma-separated) down at a time.
std::string budget(const std::string& namespace_name, const std::string& name,
                   const std::string& labels);
// A ServiceAccount bound to a ClusterRole `role` with `rules` (YAML list items at 2 spaces).
std::string service_account_with_role(const std::string& namespace_name, const std::string& account,
                                      const std::string& role, const std::string& rules);
// Required anti-affinity of pods with `labels` on the hostname, as YAML at `indent` spaces.
std::string anti_affinity(const std::string& labels, int indent);

}  // namespace zerospof::render
