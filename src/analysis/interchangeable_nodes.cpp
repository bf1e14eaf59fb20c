#include "analysis/interchangeable_nodes.h"

#include <algorithm>
#include <map>

namespace zerospof::analysis {

namespace {

long binomial(long n, long k) {
  long result = 1;
  for (long i = 1; i <= k; ++i) result = result * (n - k + i) / i;  // exact at every step
  return result;
}

}  // namespace

InterchangeableNodes::InterchangeableNodes(int node_count,
                                           const std::vector<std::vector<std::int64_t>>& signatures)
    : class_of_(node_count) {
  std::map<std::vector<std::int64_t>, int> class_of_signature;
  for (int node = 0; node < node_count; ++node) {
    int node_class = static_cast<int>(members_.size());
    if (!signatures.empty())
      node_class = class_of_signature.try_emplace(signatures[node], node_class).first->second;
    if (node_class == static_cast<int>(members_.size())) {
      members_.emplace_back();
      firsts_.push_back(node);
    }
    members_[node_class].push_back(node);
    class_of_[node] = node_class;
  }
}

void InterchangeableNodes::for_each_representative(int size, const Visitor& visit) const {
  std::vector<int> chosen, used(members_.size());
  chosen.reserve(size);
  extend(size, chosen, used, visit);
}

// The next node of a representative is, among the nodes above the last one chosen, the first
// member of a class not used yet or the next member of a class already used: any other node
// would leave a smaller member of its class out, and the set would not be a representative.
void InterchangeableNodes::extend(int size, std::vector<int>& chosen, std::vector<int>& used,
                                  const Visitor& visit) const {
  if (static_cast<int>(chosen.size()) == size) {
    visit(chosen, weight(chosen, used));
    return;
  }
  int last = chosen.empty() ? -1 : chosen.back();
  // At most size - 1 classes are in use: their next members, ascending.
  std::vector<int> next_members;
  for (int node : chosen) {
    int node_class = class_of_[node];
    if (members_[node_class][used[node_class] - 1] != node) continue;  // not its class's last
    if (used[node_class] < static_cast<int>(members_[node_class].size()) &&
        members_[node_class][used[node_class]] > last)
      next_members.push_back(members_[node_class][used[node_class]]);
  }
  std::sort(next_members.begin(), next_members.end());
  auto first = std::upper_bound(firsts_.begin(), firsts_.end(), last);
  auto next = next_members.begin();
  auto take = [&](int node) {
    int node_class = class_of_[node];
    chosen.push_back(node);
    ++used[node_class];
    extend(size, chosen, used, visit);
    --used[node_class];
    chosen.pop_back();
  };
  while (first != firsts_.end() || next != next_members.end()) {
    if (next == next_members.end() || (first != firsts_.end() && *first < *next)) {
      if (used[class_of_[*first]] == 0) take(*first);
      ++first;
    } else {
      take(*next++);
    }
  }
}

long InterchangeableNodes::weight(const std::vector<int>& chosen,
                                  const std::vector<int>& used) const {
  long result = 1;
  for (int node : chosen) {
    int node_class = class_of_[node];
    if (members_[node_class][used[node_class] - 1] != node) continue;  // once per class
    result *= binomial(static_cast<long>(members_[node_class].size()), used[node_class]);
  }
  return result;
}

}  // namespace zerospof::analysis
