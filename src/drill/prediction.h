// What `zerospof check` predicts for a drill scenario, so the report can put the prediction
// beside the measurement: the analysis scenario of the same failure (the same nodes down, the
// same component stopped on the same node, the same partition) and its verdict per service. A
// measurement that contradicts it is a finding: that is how the analysis gets better.
//
// Guarantees: the analysis runs once, on the plan alone (the addons render deploys), for every
// failure of up to two nodes; a drill scenario with no matching analysis scenario (failure
// domains that are zones, not nodes) gets no prediction, never a guessed one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "drill/record.h"
#include "drill/scenario.h"
#include "model/cluster.h"

namespace zerospof::drill {

class Predictor {
 public:
  explicit Predictor(const model::Cluster& cluster);

  // check's verdicts for `scenario` aimed at `targets` (for a partition, one side).
  std::optional<CheckPrediction> predict(const Scenario& scenario,
                                         const std::vector<std::string>& targets) const;

 private:
  std::optional<std::size_t> find(const Scenario& scenario,
                                  const std::vector<std::string>& targets) const;

  analysis::Report report_;
};

// A finding when the drill's measurement contradicts check's prediction for the API: check said
// the API would be down and the drill measured it answering within the budget, or check said it
// would stay up and the drill measured an outage over the budget.
std::optional<std::string> contradiction(const CheckPrediction& prediction,
                                         const ScenarioResult& result);

}  // namespace zerospof::drill
