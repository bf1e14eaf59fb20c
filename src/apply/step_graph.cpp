#include "apply/step_graph.h"

#include <fmt/format.h>

namespace zerospof::apply {
namespace {

enum class Mark { kNew, kOnPath, kDone };

// Depth-first search; `path` holds the steps being visited, to name a cycle when one closes.
class TopoSort {
 public:
  explicit TopoSort(const StepGraph& graph) : graph_(graph), marks_(graph.size(), Mark::kNew) {}

  util::Result<std::vector<std::size_t>> run() {
    for (std::size_t i = 0; i < graph_.size(); ++i) ZEROSPOF_RETURN_IF_ERROR(visit(i));
    return order_;
  }

 private:
  util::Status visit(std::size_t index) {
    if (marks_[index] == Mark::kDone) return {};
    const Step& step = graph_.steps()[index];
    if (marks_[index] == Mark::kOnPath) return util::fail(cycle_error(step.id));
    marks_[index] = Mark::kOnPath;
    path_.push_back(step.id);
    for (const auto& dep : step.deps) {
      const Step* found = graph_.find(dep);
      if (found == nullptr) {
        return util::fail(util::Error::internal(
            fmt::format("step {} depends on {}, which does not exist", step.id, dep)));
      }
      ZEROSPOF_RETURN_IF_ERROR(visit(static_cast<std::size_t>(found - graph_.steps().data())));
    }
    path_.pop_back();
    marks_[index] = Mark::kDone;
    order_.push_back(index);
    return {};
  }

  util::Error cycle_error(const std::string& closing) const {
    std::string cycle;
    bool on_cycle = false;
    for (const auto& id : path_) {
      on_cycle = on_cycle || id == closing;
      if (on_cycle) cycle += id + " -> ";
    }
    return util::Error::internal(fmt::format("the steps form a cycle: {}{}", cycle, closing));
  }

  const StepGraph& graph_;
  std::vector<Mark> marks_;
  std::vector<std::string> path_;
  std::vector<std::size_t> order_;
};

}  // namespace

util::Status StepGraph::add(Step step) {
  if (index_.count(step.id) != 0) {
    return util::fail(util::Error::internal(fmt::format("two steps are named {}", step.id)));
  }
  index_[step.id] = steps_.size();
  steps_.push_back(std::move(step));
  return {};
}

const Step* StepGraph::find(const std::string& id) const {
  auto found = index_.find(id);
  return found == index_.end() ? nullptr : &steps_[found->second];
}

util::Result<std::vector<std::size_t>> StepGraph::order() const { return TopoSort(*this).run(); }

}  // namespace zerospof::apply
