// apply's progress on a terminal, one line per finished step, shared by `apply` and by `drill
// --compare-tuning`, which applies another tuning and then the plan's own again.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "apply/progress.h"
#include "util/terminal.h"

namespace zerospof::cli {

// "[ 12/140] cloudserver1  install etcd v3.6.16  changed  2.1 s", on stderr; the outcome
// coloured when `color`. `prefix` starts every line ("" for apply itself).
class TerminalProgress : public apply::ProgressSink {
 public:
  explicit TerminalProgress(bool color, std::string prefix = {})
      : style_(color), prefix_(std::move(prefix)) {}
  void run_started(std::size_t steps) override { total_ = steps; }
  void step_started(const apply::Step&) override {}
  void step_finished(const apply::StepResult& result) override {
    ++done_;
    std::string outcome = apply::to_string(result.outcome);
    switch (result.outcome) {
      case apply::Outcome::kChanged:
        outcome = style_.green(outcome);
        break;
      case apply::Outcome::kUnchanged:
        outcome = style_.dim(outcome);
        break;
      default:
        outcome = style_.red(outcome);
        break;
    }
    std::string line = fmt::format("{}[{:>3}/{}] {:<16} {:<44} {} {:.1f} s", prefix_, done_, total_,
                                   apply::host_label(result.host), result.summary, outcome,
                                   result.elapsed.count() / 1000.0);
    if (!result.detail.empty()) line += "\n          " + result.detail;
    std::fprintf(stderr, "%s\n", line.c_str());
  }

 private:
  std::size_t total_ = 0;
  std::size_t done_ = 0;
  util::Style style_;
  const std::string prefix_;
};

}  // namespace zerospof::cli
