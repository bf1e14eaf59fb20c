#include "drill/watch_probe.h"

#include <fmt/format.h>

#include <set>

namespace zerospof::drill {

namespace {

constexpr std::size_t kProblemsShown = 5;

}  // namespace

WatchCheck check_watch(const std::vector<WatchedKey>& watched, const history::History& history) {
  WatchCheck out;
  auto problem = [&](std::string text) {
    out.delivered = false;
    if (out.problems.size() < kProblemsShown) out.problems.push_back(std::move(text));
  };
  // value -> the value it replaced, for every write that may have happened; and the acknowledged.
  std::map<std::pair<std::string, std::string>, std::string> replaced;
  std::set<std::pair<std::string, std::string>> acknowledged;
  for (const history::Operation& operation : history.operations) {
    if (operation.function != history::Function::kCompareAndSet ||
        operation.outcome == history::Outcome::kFailed || !operation.argument)
      continue;
    replaced[{operation.key, *operation.argument}] = operation.expected.value_or("");
    if (operation.outcome == history::Outcome::kOk)
      acknowledged.insert({operation.key, *operation.argument});
  }
  for (const WatchedKey& key : watched) {
    out.reconnects += key.broken;
    out.expired += key.expired;
    std::set<std::string> seen, relisted;
    std::string previous = key.start_value;
    for (const observe::WatchEvent& event : key.events) {
      if (event.type == kRelisted) {
        // A 410 Gone is the API telling the client it cannot resume: the client lists again and
        // holds the current state. The versions between the last event and that state reached it
        // only as that state; they must lie on the chain from one to the other.
        std::string value = event.value;
        std::size_t steps = 0;
        while (value != previous && steps++ <= replaced.size()) {
          relisted.insert(value);
          auto found = replaced.find({key.key, value});
          if (found == replaced.end()) break;
          value = found->second;
        }
        if (value != previous) {
          ++out.out_of_order;
          problem(fmt::format("{}: the list after a 410 Gone gave {}, which does not follow {}",
                              key.key, event.value, previous));
        }
        previous = event.value;
        continue;
      }
      if (event.type != "MODIFIED") continue;
      ++out.events;
      if (!seen.insert(event.value).second) {
        ++out.duplicated;
        problem(fmt::format("{}: {} delivered twice", key.key, event.value));
        continue;
      }
      auto found = replaced.find({key.key, event.value});
      if (found == replaced.end()) {
        ++out.out_of_order;
        problem(fmt::format("{}: {} delivered, a value no write of the probe set", key.key,
                            event.value));
      } else if (found->second != previous) {
        ++out.out_of_order;
        problem(fmt::format("{}: {} delivered after {}, but it replaced {}", key.key, event.value,
                            previous, found->second));
      }
      previous = event.value;
    }
    for (const auto& [acknowledged_key, value] : acknowledged)
      if (acknowledged_key == key.key) {
        ++out.acknowledged;
        if (seen.count(value)) continue;
        if (relisted.count(value)) {
          ++out.relisted;
        } else {
          ++out.missing;
          problem(fmt::format("{}: the acknowledged write {} was never delivered", key.key, value));
        }
      }
  }
  return out;
}

WatchProbe::WatchProbe(observe::HttpClient& http, std::string server, std::string namespace_name,
                       std::vector<std::string> names, WatchProbeOptions options)
    : api_(http, std::move(server)), namespace_name_(std::move(namespace_name)), options_(options) {
  for (std::string& name : names) keys_.push_back({.key = std::move(name)});
  resource_versions_.resize(keys_.size());
}

WatchProbe::~WatchProbe() {
  {
    std::lock_guard lock(mutex_);
    deadline_ = std::chrono::steady_clock::now();
  }
  finishing_ = true;
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
}

bool WatchProbe::prepare() {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    auto read = api_.read_register(namespace_name_, keys_[i].key, std::chrono::seconds(5));
    if (!read) return false;
    keys_[i].start_value = read->value;
    resource_versions_[i] = read->resource_version;
  }
  return true;
}

void WatchProbe::start() {
  for (std::size_t i = 0; i < keys_.size(); ++i)
    threads_.emplace_back([this, i] { watch_loop(i); });
}

void WatchProbe::watch_loop(std::size_t index) {
  auto caught_up = [&] {
    std::lock_guard lock(mutex_);
    if (!finishing_) return false;
    if (std::chrono::steady_clock::now() >= deadline_) return true;
    const WatchedKey& key = keys_[index];
    auto final_value = final_values_.find(key.key);
    std::string last = key.events.empty() ? key.start_value : key.events.back().value;
    return final_value != final_values_.end() && final_value->second == last;
  };
  while (!caught_up()) {
    // A short window once finishing: the final value is usually there already.
    auto window = finishing_ ? std::chrono::seconds(1) : options_.window;
    observe::WatchResult result =
        api_.watch_register(namespace_name_, keys_[index].key, resource_versions_[index], window);
    {
      std::lock_guard lock(mutex_);
      WatchedKey& key = keys_[index];
      ++key.requests;
      for (observe::WatchEvent& event : result.events) {
        if (!event.resource_version.empty()) resource_versions_[index] = event.resource_version;
        key.events.push_back(std::move(event));
      }
      if (result.expired) ++key.expired;
      if (!result.ended_cleanly) ++key.broken;
    }
    if (result.expired) {
      // As an informer does: list again and go on from now; what lay between reaches it only
      // as the state it lists, which the check must know.
      if (auto read =
              api_.read_register(namespace_name_, keys_[index].key, std::chrono::seconds(2))) {
        std::lock_guard lock(mutex_);
        resource_versions_[index] = read->resource_version;
        keys_[index].events.push_back(
            {std::string(kRelisted), read->resource_version, read->value});
      }
    }
    if (!result.ended_cleanly) std::this_thread::sleep_for(options_.retry);
  }
}

void WatchProbe::finish(const std::vector<std::pair<std::string, std::string>>& final_values) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, value] : final_values) final_values_[key] = value;
    deadline_ = std::chrono::steady_clock::now() + options_.catch_up;
  }
  finishing_ = true;
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

std::vector<WatchedKey> WatchProbe::watched() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

}  // namespace zerospof::drill
