#include "model/workload.h"

#include <algorithm>

namespace zerospof::model {

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

bool requirement_matches(const LabelRequirement& requirement, const Labels& labels) {
  auto it = labels.find(requirement.key);
  bool present = it != labels.end();
  auto listed = [&] {
    return present && std::find(requirement.values.begin(), requirement.values.end(), it->second) !=
                          requirement.values.end();
  };
  switch (requirement.op) {
    case LabelRequirement::Operator::kIn:
      return listed();
    case LabelRequirement::Operator::kNotIn:
      return !listed();
    case LabelRequirement::Operator::kExists:
      return present;
    case LabelRequirement::Operator::kDoesNotExist:
      return !present;
  }
  return false;
}

}  // namespace

bool matches_all(const std::vector<LabelRequirement>& requirements, const Labels& labels) {
  return std::all_of(requirements.begin(), requirements.end(),
                     [&](const LabelRequirement& r) { return requirement_matches(r, labels); });
}

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& [key, value] : match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return matches_all(match_expressions, labels);
}

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

std::string AdmissionWebhook::display_name() const {
  return std::string(mutating ? "mutatingwebhook/" : "validatingwebhook/") + configuration + "/" +
         name;
}

std::string AdmissionWebhook::matched_writes() const {
  std::string out;
  for (const WebhookRule& rule : rules) {
    std::vector<std::string> resources;
    for (const std::string& resource : rule.resources)
      for (const std::string& group : rule.api_groups)
        resources.push_back(group.empty() ? resource : resource + "." + group);
    if (!out.empty()) out += "; ";
    out += joined(rule.operations) + " of " + joined(resources);
  }
  return out.empty() ? "no request" : out;
}

bool StorageClass::node_local() const {
  static const char* const kNodeLocal[] = {
      "kubernetes.io/no-provisioner", "rancher.io/local-path", "openebs.io/local", "topolvm.io",
      "local.csi.openebs.io",         "lvm.csi.metal-stack.io"};
  for (const char* local : kNodeLocal)
    if (provisioner == local) return true;
  return false;
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
