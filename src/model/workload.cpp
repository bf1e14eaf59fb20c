#include "model/workload.h"

#include <algorithm>

namespace zerospof::model {

namespace {

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

}  // namespace zerospof::model
