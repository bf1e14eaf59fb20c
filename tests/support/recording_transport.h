// RecordingTransport: a fake host for apply's unit tests. Files live in memory (put_file stores,
// get_file reads back), commands are recorded and answered by the first rule whose substring
// the script contains (default: exit 0, no output), so a test states only the answers it cares
// about and then reads what was asked. Thread-safe, as the runner calls it from several threads.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "transport/transport.h"

namespace zerospof::testing {

class RecordingTransport : public transport::Transport {
 public:
  struct Call {
    std::string host;
    std::string kind;  // "run", "put" or "get"
    std::string what;  // the script, or the path
  };

  // Every later command whose script contains `substring` gets `result`.
  void answer(std::string substring, transport::CommandResult result) {
    answer_with(
        std::move(substring),
        [result = std::move(result)](const std::string&, const std::string&) { return result; });
  }
  // The same, answered by `answer(host, script)` each time: an answer that changes over time or
  // differs by host.
  using Answer =
      std::function<transport::CommandResult(const std::string& host, const std::string& script)>;
  void answer_with(std::string substring, Answer answer) {
    std::lock_guard lock(mutex_);
    rules_.emplace_back(std::move(substring), std::move(answer));
  }

  util::Result<transport::CommandResult> run(const std::string& host,
                                             const transport::Command& command) override {
    Answer matched;
    {
      std::lock_guard lock(mutex_);
      calls_.push_back({host, "run", command.script});
      for (const auto& [substring, answer] : rules_)
        if (command.script.find(substring) != std::string::npos) {
          matched = answer;
          break;
        }
    }
    // Answered outside the lock: commands run at once on several hosts are answered at once.
    if (matched) return matched(host, command.script);
    return transport::CommandResult{.exit_code = 0};
  }

  util::Status put_file(const std::string& host, const transport::FileSpec& file) override {
    std::lock_guard lock(mutex_);
    calls_.push_back({host, "put", file.path});
    files_[{host, file.path}] = file;
    return {};
  }

  util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                    const std::string& path) override {
    std::lock_guard lock(mutex_);
    calls_.push_back({host, "get", path});
    auto found = files_.find({host, path});
    if (found == files_.end()) return std::optional<std::string>{};
    return std::optional<std::string>(found->second.content);
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  // The calls of one kind ("run", "put", "get"), as "host: what".
  std::vector<std::string> calls_of(const std::string& kind) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> found;
    for (const auto& call : calls_) {
      if (call.kind == kind) found.push_back(call.host + ": " + call.what);
    }
    return found;
  }

  std::map<std::pair<std::string, std::string>, transport::FileSpec> files() const {
    std::lock_guard lock(mutex_);
    return files_;
  }

  void clear_calls() {
    std::lock_guard lock(mutex_);
    calls_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Answer>> rules_;
  std::vector<Call> calls_;
  std::map<std::pair<std::string, std::string>, transport::FileSpec> files_;
};

}  // namespace zerospof::testing
