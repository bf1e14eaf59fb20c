#include "model/workload.h"

#include <algorithm>

namespace zerospof::model {

std::string Workload::display_name() const {
  const char* kind_name = kind == WorkloadKind::kDeployment    ? "deployment"
                          : kind == WorkloadKind::kStatefulSet ? "statefulset"
                                                               : "daemonset";
  return std::string(kind_name) + "/" + namespace_name + "/" + name;
}

bool KubeService::selects(const Workload& workload) const {
  return namespace_name == workload.namespace_name && !selector.empty() &&
         LabelSelector{selector, {}}.matches(workload.pod_labels);
}

int DisruptionBudget::allowed_disruptions(int replicas) const {
  auto percent_of = [replicas](int percent, bool round_up) {
    return round_up ? (replicas * percent + 99) / 100 : replicas * percent / 100;
  };
  int allowed = replicas;
  // Kubernetes rounds minAvailable percentages up and maxUnavailable percentages up as well.
  if (min_available) allowed = replicas - *min_available;
  if (min_available_percent) allowed = replicas - percent_of(*min_available_percent, true);
  if (max_unavailable) allowed = *max_unavailable;
  if (max_unavailable_percent) allowed = percent_of(*max_unavailable_percent, true);
  return std::clamp(allowed, 0, replicas);
}

namespace {

// Kinds that hold configuration, identity or bookkeeping: whatever fails, they change nothing the
// analysis judges. Every other kind it does not read might (a bare Pod is a single point of
// failure; an APIService or a NetworkPolicy can cut the API or traffic), so it is named.
bool inert_kind(const std::string& kind) {
  static const char* const kInert[] = {"ConfigMap",
                                       "Secret",
                                       "ServiceAccount",
                                       "Role",
                                       "RoleBinding",
                                       "ClusterRole",
                                       "ClusterRoleBinding",
                                       "CustomResourceDefinition",
                                       "Namespace",
                                       "LimitRange",
                                       "ResourceQuota",
                                       "Endpoints",
                                       "EndpointSlice",
                                       "ControllerRevision",
                                       "Event",
                                       "Lease",
                                       "IngressClass",
                                       "CSIDriver",
                                       "VolumeSnapshotClass",
                                       "CertificateSigningRequest"};
  return std::find(std::begin(kInert), std::end(kInert), kind) != std::end(kInert);
}

}  // namespace

void Manifests::count_unmodelled(const std::string& kind, const std::string& api_version,
                                 const util::SourceLocation& where, int count) {
  for (UnmodelledKind& seen : unmodelled) {
    if (seen.kind != kind || seen.api_version != api_version) continue;
    seen.count += count;
    return;
  }
  unmodelled.push_back({kind, api_version, count, where, inert_kind(kind)});
}

}  // namespace zerospof::model
