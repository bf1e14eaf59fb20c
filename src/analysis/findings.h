// The rules behind Report::findings: each judges the manifests as written (what zerospof
// deploys and what --manifests gives), whatever fails, and appends one Finding per offending
// object, in manifest order, with its reason and the fix. They read only their inputs and never
// change the exit code. Internal to analysis.
#pragma once

#include <vector>

#include "analysis/analysis.h"
#include "model/cluster.h"
#include "model/workload.h"

namespace zerospof::analysis {

// pdb-blocks-drain: a PodDisruptionBudget that allows no eviction of a workload it selects.
void find_blocking_budgets(const model::Manifests& all, std::vector<Finding>& out);

// Per workload of `all`, the budgets (indices into all.budgets, ascending) of its namespace
// whose selector matches its pods. Looked up by namespace, so the cost is workloads times the
// budgets of one namespace, not times every budget.
std::vector<std::vector<int>> budgets_by_workload(const model::Manifests& all);

// replicas-unset, replicas-may-share-node: the worst placement the scheduler may choose.
void find_unspread_replicas(const model::Cluster& cluster, const model::Manifests& all,
                            std::vector<Finding>& out);

// node-bound-volume: a volume that keeps the pod on one node, or leaves its data behind.
void find_node_bound_volumes(const model::Manifests& all, std::vector<Finding>& out);

// local-traffic-one-node: externalTrafficPolicy: Local in front of pods that may share a node.
void find_local_traffic_on_one_node(const model::Cluster& cluster, const model::Manifests& all,
                                    std::vector<Finding>& out);

// lb-announcer-one-domain, bgp-peer-one-domain: LoadBalancer addresses (MetalLB) or BGP
// sessions (MetalLB, Calico) that only one failure domain's nodes can carry. Announcements whose
// nodes cannot be told from the plan get a note in `notes` instead.
void find_single_announcers(const model::Cluster& cluster, const model::Manifests& all,
                            std::vector<Finding>& out, std::vector<std::string>& notes);

// The workloads whose claims bind to PersistentVolumes usable on named nodes only get a node
// affinity for those nodes, so the failure scenarios see them stay down when that node does.
void pin_to_volume_nodes(model::Manifests& all);

// Shared by the rules: whether the scheduler may put every replica on one node, and the spread
// constraint that forbids it (on zones too when the plan has them).
bool may_share_one_node(const model::Workload& workload);
std::string spread_fix(const model::Cluster& cluster);

}  // namespace zerospof::analysis
