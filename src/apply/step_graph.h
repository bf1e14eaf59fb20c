// StepGraph: the steps of one apply and their dependencies, a DAG. add() refuses duplicate ids;
// order() refuses unknown dependencies and cycles (naming the steps on the cycle) and otherwise
// returns the steps in a topological order, stable in insertion order among independent steps,
// so the same plan always gives the same order. A plain value; not thread-safe while being built.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "apply/step.h"
#include "util/error.h"

namespace zerospof::apply {

class StepGraph {
 public:
  util::Status add(Step step);
  const std::vector<Step>& steps() const { return steps_; }
  const Step* find(const std::string& id) const;
  std::size_t size() const { return steps_.size(); }

  // Indices into steps() in dependency order, or an error for unknown deps and cycles.
  util::Result<std::vector<std::size_t>> order() const;

 private:
  std::vector<Step> steps_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace zerospof::apply
