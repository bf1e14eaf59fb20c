#include "drill/api_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace zerospof::drill {

namespace {

AttemptOutcome outcome_of_read(bool read, const observe::HttpResponse& response) {
  if (read) return AttemptOutcome::kOk;
  return response.status == 0 && response.maybe_sent ? AttemptOutcome::kUnknown
                                                     : AttemptOutcome::kFailed;
}

std::int64_t micros(double ms) { return static_cast<std::int64_t>(ms * 1000); }

}  // namespace

ApiProbe::ApiProbe(observe::HttpClient& http, std::string server, ApiProbeOptions options,
                   std::chrono::steady_clock::time_point clock_zero)
    : api_(http, std::move(server)), options_(std::move(options)), clock_zero_(clock_zero) {}

ApiProbe::~ApiProbe() { stop(); }

double ApiProbe::now_ms() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - clock_zero_)
      .count();
}

std::string ApiProbe::key_name(int key) const {
  return fmt::format("{}-{}", options_.key_prefix, key);
}

bool ApiProbe::prepare() {
  // Each key starts from a value of this probe, written unconditionally and recorded, so that the
  // history holds every value it can observe.
  for (int key = 0; key < options_.keys; ++key) {
    std::string name = key_name(key);
    if (!api_.ensure_register(options_.namespace_name, name, "", options_.timeout * 5))
      return false;
    history::Operation write{.process = -1 - key,
                             .function = history::Function::kWrite,
                             .key = name,
                             .argument = fmt::format("{}-initial", name)};
    write.invoke_time = micros(now_ms());
    auto result = api_.write_register(options_.namespace_name, name, *write.argument, "",
                                      options_.timeout * 5);
    write.complete_time = micros(now_ms());
    if (result != observe::WriteResult::kWritten) return false;
    std::lock_guard lock(mutex_);
    operations_.push_back(write);
  }
  return true;
}

void ApiProbe::start() {
  stopping_ = false;
  for (int stream = 0; stream < options_.clients; ++stream)
    threads_.emplace_back([this, stream] { stream_loop(stream); });
}

void ApiProbe::stop() {
  stopping_ = true;
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

void ApiProbe::stream_loop(int stream) {
  struct InFlight {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  // An operation is a read and a write, each bounded by the timeout: this many cover every
  // operation that can still be running when the next tick comes.
  const std::size_t limit = static_cast<std::size_t>(2 * options_.timeout / options_.interval) + 1;
  std::vector<InFlight> in_flight;
  auto reap = [&](bool wait) {
    std::erase_if(in_flight, [wait](InFlight& operation) {
      if (!wait && !*operation.done) return false;
      operation.thread.join();
      return true;
    });
  };
  // Streams start spread over one interval, so that together they probe every interval/streams.
  auto next = std::chrono::steady_clock::now() + options_.interval * stream / options_.clients;
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
                           run_operation(stream, process);
                           *done = true;
                         }),
                         done});
  }
  reap(true);
}

void ApiProbe::run_operation(int stream, int process) {
  const std::string name = key_name(stream % options_.keys);
  observe::HttpResponse response;
  double start = now_ms();
  auto read = api_.read_register(options_.namespace_name, name, options_.timeout, &response);
  double end = now_ms();
  {
    std::lock_guard lock(mutex_);
    std::string cause;
    if (!read) {
      cause = observe::failure_cause(response);
      if (cause.empty()) cause = "an answer without the ConfigMap";
    }
    read_attempts_.push_back(
        {stream, start, end, outcome_of_read(read.has_value(), response), cause});
    // A read that failed or timed out constrains nothing: it is not in the history.
    if (read)
      operations_.push_back({.process = process,
                             .function = history::Function::kRead,
                             .key = name,
                             .observed = read->value.empty() ? history::Value{} : read->value,
                             .invoke_time = micros(start),
                             .complete_time = micros(end)});
  }
  if (!read || stopping_) return;
  std::string value = fmt::format("{}-p{}", name, process);
  start = now_ms();
  auto result = api_.write_register(options_.namespace_name, name, value, read->resource_version,
                                    options_.timeout, &response);
  end = now_ms();
  std::lock_guard lock(mutex_);
  AttemptOutcome outcome = result == observe::WriteResult::kWritten ? AttemptOutcome::kOk
                           : result == observe::WriteResult::kIndeterminate
                               ? AttemptOutcome::kUnknown
                               : AttemptOutcome::kFailed;
  write_attempts_.push_back({stream, start, end, outcome, observe::failure_cause(response)});
  // Refused (4xx but 409) or never sent: it did not happen, so it is not in the history.
  if (result != observe::WriteResult::kRejected)
    operations_.push_back(
        {.process = process,
         .function = history::Function::kCompareAndSet,
         .outcome = result == observe::WriteResult::kWritten    ? history::Outcome::kOk
                    : result == observe::WriteResult::kConflict ? history::Outcome::kFailed
                                                                : history::Outcome::kUnknown,
         .key = name,
         .argument = value,
         .expected = read->value.empty() ? history::Value{} : read->value,
         .invoke_time = micros(start),
         .complete_time = micros(end)});
}

namespace {

// ok, failed, unknown: indexed by AttemptOutcome.
std::array<std::size_t, 3> outcome_counts(const std::vector<Attempt>& attempts) {
  std::array<std::size_t, 3> counts{};
  for (const Attempt& attempt : attempts) ++counts[static_cast<std::size_t>(attempt.outcome)];
  return counts;
}

ProbeRecord record_of(std::string name, const std::vector<Attempt>& attempts) {
  auto [ok, failed, unknown] = outcome_counts(attempts);
  std::map<std::string, std::size_t> causes;
  for (const Attempt& attempt : attempts)
    if (attempt.outcome != AttemptOutcome::kOk) ++causes[attempt.cause];
  return {.name = std::move(name),
          .attempts = attempts,
          .ok = ok,
          .failed = failed,
          .unknown = unknown,
          .causes = std::move(causes)};
}

}  // namespace

ProbeRecord ApiProbe::writes() const {
  std::lock_guard lock(mutex_);
  return record_of("api-write", write_attempts_);
}

ProbeRecord ApiProbe::reads() const {
  std::lock_guard lock(mutex_);
  return record_of("api-read", read_attempts_);
}

std::array<std::size_t, 3> ApiProbe::write_counts() const {
  std::lock_guard lock(mutex_);
  return outcome_counts(write_attempts_);
}

history::History ApiProbe::history() const {
  std::lock_guard lock(mutex_);
  history::History out{.source = "api-probe", .format = history::HistoryFormat::kJsonLines};
  out.operations = operations_;
  std::stable_sort(out.operations.begin(), out.operations.end(),
                   [](const history::Operation& a, const history::Operation& b) {
                     return a.invoke_time < b.invoke_time;
                   });
  return out;
}

std::vector<std::pair<std::string, std::string>> ApiProbe::final_values() {
  std::vector<std::pair<std::string, std::string>> values;
  for (int key = 0; key < options_.keys; ++key) {
    auto read = api_.read_register(options_.namespace_name, key_name(key), options_.timeout * 5);
    values.emplace_back(key_name(key), read ? read->value : "");
  }
  return values;
}

}  // namespace zerospof::drill
