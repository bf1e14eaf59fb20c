// Nodes that no rule of the analysis tells apart, and the failure sets that stand for the rest.
//
// Two nodes are interchangeable when swapping them maps the plan onto itself as every rule sees
// it (the engine decides what that takes: the same signature, engine.cpp). A scenario's verdicts
// then depend only on how many nodes of each class it fails, so the sets of k failed nodes are
// judged once per multiset of classes, through a representative: the lexicographically smallest
// set with those counts, the first m members of each class m of whose nodes fail.
//
// Guarantees: representatives are visited in the lexicographic order a full enumeration of the
// sets would follow, so the first scenario in which a service reaches its worst health is the
// one the full enumeration finds (a representative is elementwise, hence lexicographically, no
// greater than any set it stands for). The weights of the representatives of one size add up to
// the binomial C(n, size). The cost is one visit per representative, whatever n is.
// Internal to analysis.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace zerospof::analysis {

class InterchangeableNodes {
 public:
  // Nodes with equal signatures form one class; every node is alone when `signatures` is empty
  // (no merging asked for).
  explicit InterchangeableNodes(int node_count = 0,
                                const std::vector<std::vector<std::int64_t>>& signatures = {});

  int class_count() const { return static_cast<int>(members_.size()); }
  int class_of(int node) const { return class_of_[node]; }
  // In ascending node order.
  const std::vector<int>& members(int node_class) const { return members_[node_class]; }
  // The node that stands for its class when one of them fails.
  bool first_of_class(int node) const { return members_[class_of_[node]].front() == node; }
  bool any_merged() const { return class_count() < static_cast<int>(class_of_.size()); }

  // Calls `visit(nodes, weight)` for each representative set of `size` nodes (ascending node
  // indices), in lexicographic order; `weight` is how many sets it stands for.
  using Visitor = std::function<void(const std::vector<int>& nodes, long weight)>;
  void for_each_representative(int size, const Visitor& visit) const;

 private:
  void extend(int size, std::vector<int>& chosen, std::vector<int>& used,
              const Visitor& visit) const;
  long weight(const std::vector<int>& chosen, const std::vector<int>& used) const;

  std::vector<int> class_of_;
  std::vector<std::vector<int>> members_;  // classes in order of their first member
  std::vector<int> firsts_;                // each class's first member, ascending
};

}  // namespace zerospof::analysis
