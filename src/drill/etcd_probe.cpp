#include "drill/etcd_probe.h"

#include <fmt/format.h>

namespace zerospof::drill {

namespace {

AttemptOutcome outcome_of(observe::EtcdWrite result) {
  switch (result) {
    case observe::EtcdWrite::kWritten:
      return AttemptOutcome::kOk;
    case observe::EtcdWrite::kIndeterminate:
      return AttemptOutcome::kUnknown;
    case observe::EtcdWrite::kNotSwapped:
      return AttemptOutcome::kConflict;
    case observe::EtcdWrite::kRefused:
      return AttemptOutcome::kFailed;
  }
  return AttemptOutcome::kFailed;
}

history::Outcome history_outcome_of(observe::EtcdWrite result) {
  return result == observe::EtcdWrite::kWritten      ? history::Outcome::kOk
         : result == observe::EtcdWrite::kNotSwapped ? history::Outcome::kFailed
                                                     : history::Outcome::kUnknown;
}

// Whether the member failed, as opposed to answering "no" (a comparison that failed).
bool member_failed(const observe::HttpResponse& response) {
  return response.status == 0 || response.status >= 500;
}

}  // namespace

EtcdProbe::EtcdProbe(observe::HttpClient& http, std::vector<observe::ServerEndpoint> members,
                     EtcdProbeOptions options, std::chrono::steady_clock::time_point clock_zero)
    : options_(std::move(options)),
      clock_zero_(clock_zero),
      member_of_stream_(static_cast<std::size_t>(options_.clients)),
      loop_({.streams = options_.clients,
             .interval = options_.interval,
             .longest_operation = 2 * options_.timeout},
            [this](int stream, int process) { run_operation(stream, process); }) {
  for (auto& member : members) members_.emplace_back(http, std::move(member));
  // Streams start spread over the members, as many clients of one cluster are.
  for (std::size_t stream = 0; stream < member_of_stream_.size(); ++stream)
    member_of_stream_[stream] = members_.empty() ? 0 : stream % members_.size();
}

EtcdProbe::~EtcdProbe() { stop(); }

double EtcdProbe::now_ms() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - clock_zero_)
      .count();
}

std::vector<std::string> EtcdProbe::keys() const {
  std::vector<std::string> out;
  for (int key = 0; key < options_.registers; ++key)
    out.push_back(fmt::format("{}/{}", options_.key_prefix, key));
  out.push_back(put_key());
  return out;
}

std::string EtcdProbe::put_key() const { return options_.key_prefix + "/put"; }

observe::EtcdClient& EtcdProbe::member_of(int stream) {
  return members_[member_of_stream_[static_cast<std::size_t>(stream)] % members_.size()];
}

void EtcdProbe::fail_over(int stream, const observe::EtcdClient& failed) {
  std::size_t failed_index = static_cast<std::size_t>(&failed - members_.data());
  // Only if no other operation of the stream moved it already.
  member_of_stream_[static_cast<std::size_t>(stream)].compare_exchange_strong(
      failed_index, (failed_index + 1) % members_.size());
}

bool EtcdProbe::prepare() {
  if (members_.empty()) return false;
  std::vector<std::string> all = keys();
  for (std::size_t index = 0; index < all.size(); ++index) {
    const std::string& key = all[index];
    bool written = false;
    for (auto& member : members_) {
      history::Operation write{.process = -1 - options_.process_offset - static_cast<int>(index),
                               .function = history::Function::kWrite,
                               .key = key,
                               .argument = key + "-initial"};
      write.invoke_time = micros(now_ms());
      auto result = member.put(key, *write.argument, options_.timeout * 5);
      write.complete_time = micros(now_ms());
      if (result == observe::EtcdWrite::kRefused) continue;
      // Written, or maybe: either way the history must know the value may be there.
      if (result != observe::EtcdWrite::kWritten) write.outcome = history::Outcome::kUnknown;
      log_.add_operation(write);
      if (result == observe::EtcdWrite::kWritten) {
        written = true;
        break;
      }
    }
    if (!written) return false;
  }
  return true;
}

void EtcdProbe::start() {
  if (!members_.empty()) loop_.start();
}

void EtcdProbe::stop() { loop_.stop(); }

void EtcdProbe::run_operation(int stream, int loop_process) {
  const int process = options_.process_offset + loop_process;
  bool blind_put = loop_process % 3 == 2;
  const std::string key =
      blind_put ? put_key()
                : fmt::format("{}/{}", options_.key_prefix, stream % options_.registers);
  observe::EtcdClient& member = member_of(stream);
  observe::HttpResponse response;
  double start = now_ms();
  auto read = member.get(key, options_.timeout, &response);
  double end = now_ms();
  std::optional<history::Operation> observed;
  if (read)
    observed = history::Operation{.process = process,
                                  .function = history::Function::kRead,
                                  .key = key,
                                  .observed = *read ? history::Value(**read) : history::Value{},
                                  .invoke_time = micros(start),
                                  .complete_time = micros(end)};
  std::string cause = read ? "" : observe::failure_cause(response);
  if (!read && cause.empty()) cause = "an answer that is not etcd's";
  log_.add_read({stream, start, end, read ? AttemptOutcome::kOk : AttemptOutcome::kFailed, cause},
                std::move(observed));
  if (!read) {
    if (member_failed(response)) fail_over(stream, member);
    return;
  }
  if (loop_.stopping()) return;
  std::string value = fmt::format("{}-e{}", key, process);
  start = now_ms();
  auto result = blind_put ? member.put(key, value, options_.timeout, &response)
                          : member.compare_and_set(key, *read, value, options_.timeout, &response);
  end = now_ms();
  std::optional<history::Operation> written;
  // Refused: it did not happen, so it is not in the history.
  if (result != observe::EtcdWrite::kRefused) {
    written = history::Operation{
        .process = process,
        .function = blind_put ? history::Function::kWrite : history::Function::kCompareAndSet,
        .outcome = history_outcome_of(result),
        .key = key,
        .argument = value,
        .invoke_time = micros(start),
        .complete_time = micros(end)};
    if (!blind_put) written->expected = *read ? history::Value(**read) : history::Value{};
  }
  std::string write_cause = result == observe::EtcdWrite::kNotSwapped
                                ? "compare failed (another write came first)"
                                : observe::failure_cause(response);
  log_.add_write({stream, start, end, outcome_of(result), write_cause}, std::move(written));
  if (member_failed(response) && result != observe::EtcdWrite::kWritten &&
      result != observe::EtcdWrite::kNotSwapped)
    fail_over(stream, member);
}

std::vector<observe::EtcdClient*> EtcdProbe::members_by_preference() {
  // The member the first stream ended on answered it last; a dead member costs a timeout.
  std::vector<observe::EtcdClient*> order;
  std::size_t first = member_of_stream_.empty() ? 0 : member_of_stream_.front().load();
  for (std::size_t i = 0; i < members_.size(); ++i)
    order.push_back(&members_[(first + i) % members_.size()]);
  return order;
}

std::vector<std::pair<std::string, std::string>> EtcdProbe::final_values() {
  std::vector<std::pair<std::string, std::string>> values;
  for (const std::string& key : keys()) {
    std::string value;
    for (auto* member : members_by_preference())
      if (auto read = member->get(key, options_.timeout * 5)) {
        value = read->value_or("");
        break;
      }
    values.emplace_back(key, value);
  }
  return values;
}

void EtcdProbe::cleanup() {
  for (const std::string& key : keys())
    for (auto* member : members_by_preference())
      if (member->remove(key, options_.timeout * 5)) break;
}

}  // namespace zerospof::drill
