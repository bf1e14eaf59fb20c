// How Kubernetes picks objects by their labels (label selectors, node selector terms) and which
// taints a pod tolerates, as plain values with the matching rules of Kubernetes: an empty
// selector matches everything, an empty requirement list always holds.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace zerospof::model {

using Labels = std::map<std::string, std::string>;

// One requirement of a node selector term or label selector ("zone In [a, b]").
struct LabelRequirement {
  enum class Operator { kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Operator op = Operator::kIn;
  std::vector<std::string> values;
  bool operator==(const LabelRequirement&) const = default;
};

// True when every requirement holds for `labels` (an empty list always holds).
bool matches_all(const std::vector<LabelRequirement>& requirements, const Labels& labels);

// Node affinity terms (any term, each with all its requirements) prepared for matching many
// label sets: the values of each requirement in a hash set, so a node pool written as a list of
// 500 host names costs one lookup per node instead of 500 comparisons. Borrows `terms`, which
// must outlive it.
class TermsMatcher {
 public:
  explicit TermsMatcher(const std::vector<std::vector<LabelRequirement>>& terms);
  // True for empty terms (no affinity: every node).
  bool matches(const Labels& labels) const;

 private:
  struct Prepared {
    const LabelRequirement* requirement;
    std::unordered_set<std::string_view> values;
  };
  std::vector<std::vector<Prepared>> terms_;
};

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

}  // namespace zerospof::model
