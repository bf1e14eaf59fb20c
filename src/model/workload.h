// Kubernetes objects that matter for availability, as plain values: workloads (Deployment,
// StatefulSet, DaemonSet) with their replicas, placement rules and requests; the
// PodDisruptionBudgets and Services that select their pods. Filled from --manifests by the plan
// module and from what zerospof itself deploys by the analysis; read-only afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace zerospof::model {

using Labels = std::map<std::string, std::string>;

// One requirement of a node selector term or label selector ("zone In [a, b]").
struct LabelRequirement {
  enum class Operator { kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Operator op = Operator::kIn;
  std::vector<std::string> values;
};

// True when every requirement holds for `labels` (an empty list always holds).
bool matches_all(const std::vector<LabelRequirement>& requirements, const Labels& labels);

struct LabelSelector {
  Labels match_labels;
  std::vector<LabelRequirement> match_expressions;
  bool matches(const Labels& labels) const;
  bool empty() const { return match_labels.empty() && match_expressions.empty(); }
};

struct Toleration {
  std::string key;      // empty with kExists: tolerates every taint
  bool exists = false;  // operator Exists (else Equal)
  std::string value;
  std::string effect;  // empty: every effect
};

// How far apart the scheduler must keep the replicas (required anti-affinity on the pods' own
// labels, or a DoNotSchedule topology spread constraint).
enum class SpreadKey { kNone, kHostname, kZone };

struct WorkloadSpread {
  SpreadKey required_key = SpreadKey::kNone;
  int max_skew = 0;        // 0: anti-affinity (at most one per domain); else topology spread
  bool preferred = false;  // a soft rule exists: likely, but not guaranteed, spread
};

enum class WorkloadKind { kDeployment, kStatefulSet, kDaemonSet };

// Why the workload matters when it is gone: users see the data path at once; a controller's
// brief absence goes unnoticed while it is rescheduled; observability loses alerts and graphs.
enum class ServiceClass { kDataPath, kControlPlane, kController, kObservability };

struct Workload {
  WorkloadKind kind = WorkloadKind::kDeployment;
  std::string namespace_name = "default";
  std::string name;
  ServiceClass service_class = ServiceClass::kDataPath;
  int replicas = 1;  // ignored for DaemonSets
  bool replicas_defaulted = false;
  Labels pod_labels;
  Labels node_selector;
  std::vector<std::vector<LabelRequirement>> node_affinity_terms;  // OR of ANDs; empty: any
  std::vector<Toleration> tolerations;
  WorkloadSpread spread;
  std::int64_t cpu_request_millicores = 0;  // per pod, all containers
  std::int64_t memory_request_bytes = 0;
  bool has_readiness_probe = false;  // every container has one
  bool has_liveness_probe = false;
  bool deployed_by_zerospof = false;
  util::SourceLocation where;

  std::string display_name() const;  // "deployment/ingress-nginx/ingress-nginx-controller"
};

struct DisruptionBudget {
  std::string namespace_name = "default";
  std::string name;
  LabelSelector selector;
  std::optional<int> min_available;  // absolute (percentages are resolved per workload)
  std::optional<int> min_available_percent;
  std::optional<int> max_unavailable;
  std::optional<int> max_unavailable_percent;
  util::SourceLocation where;

  // How many of `replicas` pods may be evicted at once under this budget.
  int allowed_disruptions(int replicas) const;
};

struct KubeService {
  std::string namespace_name = "default";
  std::string name;
  Labels selector;  // empty: no selector (endpoints managed by hand)
  util::SourceLocation where;
};

struct Manifests {
  std::vector<Workload> workloads;
  std::vector<DisruptionBudget> budgets;
  std::vector<KubeService> services;
  int ignored_objects = 0;  // kinds that do not affect availability (RBAC, CRDs, ConfigMaps...)
};

}  // namespace zerospof::model
