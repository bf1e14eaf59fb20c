#include "model/selectors.h"

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

}  // namespace zerospof::model
