// Kubernetes objects that matter for availability, as plain values: workloads (Deployment,
// StatefulSet, DaemonSet) with their replicas, placement rules, volumes and requests; the
// PodDisruptionBudgets and Services that select their pods; the admission webhooks the API
// server calls; the volumes and storage classes that may tie a pod to one node. Filled from
// --manifests by the plan module and from what zerospof itself deploys by the analysis;
// read-only afterwards.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/announcement.h"
#include "model/priority.h"
#include "model/selectors.h"
#include "model/storage.h"
#include "model/unmodelled_kind.h"
#include "model/webhook.h"
#include "util/error.h"

namespace zerospof::model {

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

// A volume of a pod template that may keep the pod on one node. Other volume kinds (ConfigMaps,
// Secrets, emptyDir, projected) follow the pod wherever it goes, so they are not kept.
struct PodVolume {
  enum class Source { kHostPath, kClaim, kClaimTemplate };
  Source source = Source::kClaim;
  std::string name;
  std::string path_or_claim;  // kHostPath: the host path; kClaim: the claim's name
  std::string storage_class;  // kClaimTemplate: spec.storageClassName (empty: the default)
  bool read_only = false;     // every container mounts it read-only (kHostPath only)
  util::SourceLocation where;
};

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
  std::vector<PodVolume> volumes;
  std::string priority_class;  // spec.template.spec.priorityClassName
  // The class's value (the global default's for none); 0 and unknown when the class is not among
  // the objects read (the analysis says so).
  std::int32_t priority = 0;
  bool priority_known = true;
  // Its class's preemptionPolicy is not Never: it may evict lower-priority pods for room.
  bool preempts = true;
  bool deployed_by_zerospof = false;
  // A live cluster's placement (audit): node name -> ready pods there. The replicas alive in a
  // scenario are then those on nodes it spares, not the worst placement the constraints allow;
  // rescheduling still follows the constraints. Empty: not observed (plans, manifests).
  std::map<std::string, int> observed_placement;
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
  std::string type = "ClusterIP";
  // externalTrafficPolicy: Local: a node forwards external traffic only to pods on itself.
  bool external_traffic_local = false;
  util::SourceLocation where;

  // True when the Service sends its traffic to `workload`'s pods.
  bool selects(const Workload& workload) const;
};

struct Manifests {
  std::vector<Workload> workloads;
  std::vector<DisruptionBudget> budgets;
  std::vector<KubeService> services;
  std::vector<AdmissionWebhook> webhooks;
  std::vector<PersistentVolume> volumes;
  std::vector<PersistentVolumeClaim> claims;
  std::vector<StorageClass> storage_classes;
  std::vector<PriorityClass> priority_classes;
  std::vector<Announcement> announcements;
  std::vector<UnmodelledKind> unmodelled;  // in the order first seen

  // Counts one more object of a kind the analysis does not model.
  void count_unmodelled(const std::string& kind, const std::string& api_version,
                        const util::SourceLocation& where, int count = 1);
};

}  // namespace zerospof::model
