#include "drill/api_probe.h"

#include <fmt/format.h>

#include <thread>

namespace zerospof::drill {

namespace {

AttemptOutcome outcome_of_read(bool read, const observe::HttpResponse& response) {
  if (read) return AttemptOutcome::kOk;
  return response.status == 0 && response.maybe_sent ? AttemptOutcome::kUnknown
                                                     : AttemptOutcome::kFailed;
}

}  // namespace

ApiProbe::ApiProbe(observe::HttpClient& http, std::string server, ApiProbeOptions options,
                   std::chrono::steady_clock::time_point clock_zero)
    : api_(http, std::move(server)),
      options_(std::move(options)),
      clock_zero_(clock_zero),
      loop_({.streams = options_.clients,
             .interval = options_.interval,
             .longest_operation = 2 * options_.timeout},
            [this](int stream, int process) { run_operation(stream, process); }) {}

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
    // A few tries: a write refused for a moment (etcd's leader just changed) is no reason to give
    // the scenario up. Every try writes the same value and the recorded interval spans them all,
    // so the history holds it whichever try took effect.
    observe::WriteResult result = observe::WriteResult::kRejected;
    write.invoke_time = micros(now_ms());
    for (int attempt = 0; attempt < 3 && result != observe::WriteResult::kWritten; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
      result = api_.write_register(options_.namespace_name, name, *write.argument, "",
                                   options_.timeout * 5);
      write.complete_time = micros(now_ms());
    }
    if (result != observe::WriteResult::kWritten) return false;
    log_.add_operation(write);
  }
  return true;
}

void ApiProbe::start() { loop_.start(); }

void ApiProbe::stop() { loop_.stop(); }

void ApiProbe::run_operation(int stream, int process) {
  const std::string name = key_name(stream % options_.keys);
  observe::HttpResponse response;
  double start = now_ms();
  auto read = api_.read_register(options_.namespace_name, name, options_.timeout, &response);
  double end = now_ms();
  std::string cause;
  if (!read) {
    cause = observe::failure_cause(response);
    if (cause.empty()) cause = "an answer without the ConfigMap";
  }
  // A read that failed or timed out constrains nothing: it is not in the history.
  std::optional<history::Operation> observed;
  if (read)
    observed = history::Operation{.process = process,
                                  .function = history::Function::kRead,
                                  .key = name,
                                  .observed = read->value.empty() ? history::Value{} : read->value,
                                  .invoke_time = micros(start),
                                  .complete_time = micros(end)};
  log_.add_read({stream, start, end, outcome_of_read(read.has_value(), response), cause},
                std::move(observed));
  if (!read || loop_.stopping()) return;
  std::string value = fmt::format("{}-p{}", name, process);
  start = now_ms();
  auto result = api_.write_register(options_.namespace_name, name, value, read->resource_version,
                                    options_.timeout, &response);
  end = now_ms();
  AttemptOutcome outcome = result == observe::WriteResult::kWritten    ? AttemptOutcome::kOk
                           : result == observe::WriteResult::kConflict ? AttemptOutcome::kConflict
                           : result == observe::WriteResult::kIndeterminate
                               ? AttemptOutcome::kUnknown
                               : AttemptOutcome::kFailed;
  // Refused (4xx but 409) or never sent: it did not happen, so it is not in the history.
  std::optional<history::Operation> written;
  if (result != observe::WriteResult::kRejected)
    written = history::Operation{
        .process = process,
        .function = history::Function::kCompareAndSet,
        .outcome = result == observe::WriteResult::kWritten    ? history::Outcome::kOk
                   : result == observe::WriteResult::kConflict ? history::Outcome::kFailed
                                                               : history::Outcome::kUnknown,
        .key = name,
        .argument = value,
        .expected = read->value.empty() ? history::Value{} : read->value,
        .invoke_time = micros(start),
        .complete_time = micros(end)};
  log_.add_write({stream, start, end, outcome, observe::failure_cause(response)},
                 std::move(written));
}

ProbeRecord ApiProbe::writes() const { return log_.writes("api-write"); }

ProbeRecord ApiProbe::reads() const { return log_.reads("api-read"); }

history::History ApiProbe::history() const { return log_.history("api-probe"); }

std::vector<std::pair<std::string, std::string>> ApiProbe::final_values() {
  std::vector<std::pair<std::string, std::string>> values;
  for (int key = 0; key < options_.keys; ++key) {
    auto read = api_.read_register(options_.namespace_name, key_name(key), options_.timeout * 5);
    values.emplace_back(key_name(key), read ? read->value : "");
  }
  return values;
}

}  // namespace zerospof::drill
