#include "apply/runner.h"

#include <fmt/format.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace zerospof::apply {
namespace {

using Clock = std::chrono::steady_clock;

enum class State { kPending, kRunning, kFinished };

// check(), then run() when needed; never throws, never touches runner state.
StepResult execute_once(const Step& step, const RunContext& context,
                        std::optional<util::ErrorCode>& error_code) {
  StepResult result{.id = step.id, .host = step.host, .summary = step.summary};
  auto done = step.check ? step.check(context.observe) : util::Result<bool>(false);
  if (!done) {
    result.outcome = Outcome::kFailed;
    result.detail = done.error().message;
    error_code = done.error().code;
  } else if (*done) {
    result.outcome = Outcome::kUnchanged;
  } else {
    auto ran = step.run ? step.run(context.act) : util::Status{};
    result.outcome = ran ? Outcome::kChanged : Outcome::kFailed;
    if (!ran) {
      result.detail = ran.error().message;
      error_code = ran.error().code;
    }
  }
  return result;
}

// execute_once(), again while it fails with a transient error and attempts are left.
StepResult execute(const Step& step, const RunContext& context, const RunnerOptions& options) {
  auto start = Clock::now();
  auto pause = options.retry_pause;
  int earlier_attempts = 0;
  std::string last_transient;  // what the latest of them got
  StepResult result;
  for (;;) {
    std::optional<util::ErrorCode> error_code;
    result = execute_once(step, context, error_code);
    if (error_code != util::ErrorCode::kUnavailable || earlier_attempts + 1 >= options.attempts)
      break;
    ++earlier_attempts;
    last_transient = result.detail;
    std::this_thread::sleep_for(pause);
    pause *= 2;
  }
  if (earlier_attempts > 0) {
    std::string earlier =
        fmt::format("{} earlier attempt(s) failed: {}", earlier_attempts, last_transient);
    result.detail = result.detail.empty() ? earlier : result.detail + " (" + earlier + ")";
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

std::string journal_line(const StepResult& result) {
  std::string line = fmt::format("{} {}", to_string(result.outcome), result.id);
  if (!result.detail.empty()) line += ": " + result.detail;
  return line;
}

// The scheduling loop. Implementation note: a plain list scheduler (Kahn's algorithm run
// incrementally), except that readiness also needs a free slot overall and on the step's host,
// and a failed or skipped step marks its dependents skipped instead of removing them.
class Scheduler {
 public:
  Scheduler(const StepGraph& graph, const RunContext& context, const RunnerOptions& options)
      : graph_(graph), context_(context), options_(options), states_(graph.size()) {}

  util::Result<RunReport> run() {
    ZEROSPOF_ASSIGN_OR_RETURN(order_, graph_.order());
    context_.progress.run_started(graph_.size());
    std::size_t finished = 0;
    while (finished < graph_.size()) {
      finished += skip_blocked();
      start_ready();
      if (finished == graph_.size()) break;
      ZEROSPOF_ASSIGN_OR_RETURN(bool any, collect_one());
      // Unreachable for a DAG: with nothing in flight, a pending step is ready or skipped.
      if (!any) return util::fail(util::Error::internal("the step runner stalled"));
      ++finished;
    }
    for (auto& worker : workers_) worker.join();
    return std::move(report_);
  }

 private:
  std::size_t index_of(const std::string& id) const {
    return static_cast<std::size_t>(graph_.find(id) - graph_.steps().data());
  }

  // The first dependency that did not succeed, or "" when all did; nullopt while one is pending.
  std::optional<std::string> failed_dependency(const Step& step) const {
    bool all_finished = true;
    for (const auto& dep : step.deps) {
      std::size_t index = index_of(dep);
      if (states_[index] != State::kFinished) {
        all_finished = false;
        continue;
      }
      Outcome outcome = outcomes_.at(dep);
      if (outcome == Outcome::kFailed || outcome == Outcome::kSkipped) return dep;
    }
    return all_finished ? std::optional<std::string>("") : std::nullopt;
  }

  std::size_t skip_blocked() {
    std::size_t skipped = 0;
    for (std::size_t index : order_) {  // topological: a skip reaches dependents in one pass
      const Step& step = graph_.steps()[index];
      if (states_[index] != State::kPending) continue;
      auto failed = failed_dependency(step);
      if (!failed || failed->empty()) continue;
      StepResult result{.id = step.id,
                        .host = step.host,
                        .summary = step.summary,
                        .outcome = Outcome::kSkipped,
                        .detail = fmt::format("not tried: {} did not succeed", *failed)};
      finish(index, result);  // a skip has nothing to sync; its journal line is best effort
      ++skipped;
    }
    return skipped;
  }

  void start_ready() {
    for (std::size_t index : order_) {
      if (in_flight_ >= options_.parallel) return;
      const Step& step = graph_.steps()[index];
      if (states_[index] != State::kPending) continue;
      auto failed = failed_dependency(step);
      if (!failed || !failed->empty()) continue;
      if (host_in_flight_[step.host] >= options_.per_host) continue;
      states_[index] = State::kRunning;
      ++in_flight_;
      ++host_in_flight_[step.host];
      context_.progress.step_started(step);
      workers_.emplace_back([this, index] { work(index); });
    }
  }

  // In a worker thread: execute, journal (fsynced), then hand the result to the scheduler.
  void work(std::size_t index) {
    StepResult result = execute(graph_.steps()[index], context_, options_);
    util::Status recorded = context_.journal.record(journal_line(result));
    std::lock_guard lock(mutex_);
    completions_.push_back({index, std::move(result), std::move(recorded)});
    ready_.notify_one();
  }

  struct Completion {
    std::size_t index;
    StepResult result;
    util::Status recorded;
  };

  // Waits for one worker to finish and reports it. Returns false if nothing was in flight.
  util::Result<bool> collect_one() {
    if (in_flight_ == 0) return false;
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !completions_.empty(); });
    Completion completion = std::move(completions_.front());
    completions_.pop_front();
    lock.unlock();
    --in_flight_;
    --host_in_flight_[completion.result.host];
    if (!completion.recorded) {
      for (auto& worker : workers_) {
        // Let the others finish before leaving, so no thread outlives the runner.
        if (worker.joinable()) worker.join();
      }
      return util::fail(completion.recorded.error());
    }
    finish(completion.index, completion.result);
    return true;
  }

  void finish(std::size_t index, const StepResult& result) {
    if (result.outcome == Outcome::kSkipped) (void)context_.journal.record(journal_line(result));
    states_[index] = State::kFinished;
    outcomes_[result.id] = result.outcome;
    report_.results.push_back(result);
    context_.progress.step_finished(result);
  }

  const StepGraph& graph_;
  const RunContext& context_;
  const RunnerOptions& options_;
  std::vector<std::size_t> order_;
  std::vector<State> states_;
  std::map<std::string, Outcome> outcomes_;
  std::map<std::string, int> host_in_flight_;
  int in_flight_ = 0;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Completion> completions_;
  RunReport report_;
};

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kChanged:
      return "changed";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

int RunReport::count(Outcome outcome) const {
  int found = 0;
  for (const auto& result : results) found += result.outcome == outcome ? 1 : 0;
  return found;
}

util::Result<RunReport> run_steps(const StepGraph& graph, const RunContext& context,
                                  const RunnerOptions& options) {
  if (options.parallel < 1 || options.per_host < 1) {
    return util::fail(util::Error::invalid_input("parallelism must be at least 1"));
  }
  return Scheduler(graph, context, options).run();
}

}  // namespace zerospof::apply
