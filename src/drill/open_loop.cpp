#include "drill/open_loop.h"

#include <algorithm>
#include <memory>

namespace zerospof::drill {

OpenLoop::OpenLoop(OpenLoopOptions options, Operation operation)
    : options_(options), operation_(std::move(operation)) {}

OpenLoop::~OpenLoop() { stop(); }

void OpenLoop::start() {
  stopping_ = false;
  for (int stream = 0; stream < options_.streams; ++stream)
    threads_.emplace_back([this, stream] { stream_loop(stream); });
}

void OpenLoop::stop() {
  stopping_ = true;
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

void OpenLoop::stream_loop(int stream) {
  struct InFlight {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  // This many cover every operation that can still be running when the next tick comes.
  const std::size_t limit =
      static_cast<std::size_t>(options_.longest_operation / options_.interval) + 1;
  std::vector<InFlight> in_flight;
  auto reap = [&](bool wait) {
    std::erase_if(in_flight, [wait](InFlight& operation) {
      if (!wait && !*operation.done) return false;
      operation.thread.join();
      return true;
    });
  };
  // Streams start spread over one interval, so that together they probe every interval/streams.
  auto next = std::chrono::steady_clock::now() + options_.interval * stream / options_.streams;
  while (!stopping_) {
    while (!stopping_ && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(10), next - std::chrono::steady_clock::now()));
    if (stopping_) break;
    next += options_.interval;
    reap(false);
    if (in_flight.size() >= limit) {
      ++skipped_;
      continue;
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    int process = next_process_++;
    in_flight.push_back({std::thread([this, stream, process, done] {
                           operation_(stream, process);
                           *done = true;
                         }),
                         done});
  }
  reap(true);
}

std::int64_t micros(double milliseconds) { return static_cast<std::int64_t>(milliseconds * 1000); }

void ProbeLog::add_read(Attempt attempt, std::optional<history::Operation> operation) {
  std::lock_guard lock(mutex_);
  reads_.push_back(std::move(attempt));
  if (operation) operations_.push_back(std::move(*operation));
}

void ProbeLog::add_write(Attempt attempt, std::optional<history::Operation> operation) {
  std::lock_guard lock(mutex_);
  writes_.push_back(std::move(attempt));
  if (operation) operations_.push_back(std::move(*operation));
}

void ProbeLog::add_operation(history::Operation operation) {
  std::lock_guard lock(mutex_);
  operations_.push_back(std::move(operation));
}

namespace {

// ok, failed, unknown, conflicts: indexed by AttemptOutcome.
std::array<std::size_t, 4> outcome_counts(const std::vector<Attempt>& attempts) {
  std::array<std::size_t, 4> counts{};
  for (const Attempt& attempt : attempts) ++counts[static_cast<std::size_t>(attempt.outcome)];
  return counts;
}

}  // namespace

ProbeRecord record_of(std::string name, const std::vector<Attempt>& attempts) {
  auto [ok, failed, unknown, conflicts] = outcome_counts(attempts);
  std::map<std::string, std::size_t> causes;
  for (const Attempt& attempt : attempts)
    if (attempt.outcome != AttemptOutcome::kOk) ++causes[attempt.cause];
  return {.name = std::move(name),
          .attempts = attempts,
          .ok = ok,
          .failed = failed,
          .unknown = unknown,
          .conflicts = conflicts,
          .causes = std::move(causes)};
}

ProbeRecord ProbeLog::reads(std::string name) const {
  std::lock_guard lock(mutex_);
  return record_of(std::move(name), reads_);
}

ProbeRecord ProbeLog::writes(std::string name) const {
  std::lock_guard lock(mutex_);
  return record_of(std::move(name), writes_);
}

std::array<std::size_t, 4> ProbeLog::write_counts() const {
  std::lock_guard lock(mutex_);
  return outcome_counts(writes_);
}

history::History ProbeLog::history(std::string source) const {
  std::lock_guard lock(mutex_);
  history::History out{.source = std::move(source), .format = history::HistoryFormat::kJsonLines};
  out.operations = operations_;
  std::stable_sort(out.operations.begin(), out.operations.end(),
                   [](const history::Operation& a, const history::Operation& b) {
                     return a.invoke_time < b.invoke_time;
                   });
  return out;
}

}  // namespace zerospof::drill
