// ProgressSink: how the runner tells a person (or a test) what happens, step by step. The cli
// renders it for a terminal (colour, per host) or as plain lines; tests record it. Called only
// from the runner's scheduling thread, so implementations need no locking; a step's
// step_finished() comes after its journal record is on disk.
#pragma once

#include <chrono>
#include <string>

#include "apply/step.h"

namespace zerospof::apply {

enum class Outcome {
  kUnchanged,  // check() said it was already done
  kChanged,    // run() did it
  kFailed,     // check() or run() failed
  kSkipped,    // a dependency failed, so it was not tried
};
const char* to_string(Outcome outcome);

struct StepResult {
  std::string id;
  std::string host;
  std::string summary;
  Outcome outcome = Outcome::kSkipped;
  std::string detail;  // the error message of a failed step, or which dependency failed
  std::chrono::milliseconds elapsed{0};
};

// Where a step ran, as a person reads it: its host, or "(this machine)" for the operator's own.
inline std::string host_label(const std::string& host) {
  return host.empty() ? "(this machine)" : host;
}

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void run_started(std::size_t /*steps*/) {}
  virtual void step_started(const Step& step) = 0;
  virtual void step_finished(const StepResult& result) = 0;
};

class NullProgress : public ProgressSink {
 public:
  void step_started(const Step&) override {}
  void step_finished(const StepResult&) override {}
};

}  // namespace zerospof::apply
