#include "model/selectors.h"

#include <algorithm>

namespace zerospof::model {
namespace {

bool holds(LabelRequirement::Operator op, bool present, bool listed) {
  switch (op) {
    case LabelRequirement::Operator::kIn:
      return listed;
    case LabelRequirement::Operator::kNotIn:
      return !listed;
    case LabelRequirement::Operator::kExists:
      return present;
    case LabelRequirement::Operator::kDoesNotExist:
      return !present;
  }
  return false;
}

bool requirement_matches(const LabelRequirement& requirement, const Labels& labels) {
  auto it = labels.find(requirement.key);
  bool present = it != labels.end();
  bool listed = present && std::find(requirement.values.begin(), requirement.values.end(),
                                     it->second) != requirement.values.end();
  return holds(requirement.op, present, listed);
}

}  // namespace

bool matches_all(const std::vector<LabelRequirement>& requirements, const Labels& labels) {
  return std::all_of(requirements.begin(), requirements.end(),
                     [&](const LabelRequirement& r) { return requirement_matches(r, labels); });
}

TermsMatcher::TermsMatcher(const std::vector<std::vector<LabelRequirement>>& terms) {
  for (const auto& term : terms) {
    terms_.emplace_back();
    for (const LabelRequirement& requirement : term)
      terms_.back().push_back(
          {&requirement, {requirement.values.begin(), requirement.values.end()}});
  }
}

bool TermsMatcher::matches(const Labels& labels) const {
  if (terms_.empty()) return true;
  return std::any_of(terms_.begin(), terms_.end(), [&](const std::vector<Prepared>& term) {
    return std::all_of(term.begin(), term.end(), [&](const Prepared& prepared) {
      auto it = labels.find(prepared.requirement->key);
      bool present = it != labels.end();
      bool listed = present && prepared.values.count(it->second) != 0;
      return holds(prepared.requirement->op, present, listed);
    });
  });
}

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& [key, value] : match_labels) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return matches_all(match_expressions, labels);
}

}  // namespace zerospof::model
