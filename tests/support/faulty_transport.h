// FaultyTransport: wraps another transport and, from its Nth call on (run, put_file and get_file
// counted together, from 1), fails every call as a dropped link would: the closest a unit test
// gets to `kill -9` of apply or of the network in the middle of a run (faults by wrapping: the
// code under test never knows). Thread-safe.
#pragma once

#include <atomic>

#include "transport/transport.h"

namespace zerospof::testing {

class FaultyTransport : public transport::Transport {
 public:
  FaultyTransport(transport::Transport& inner, int fail_from)
      : inner_(inner), fail_from_(fail_from) {}

  util::Result<transport::CommandResult> run(const std::string& host,
                                             const transport::Command& command) override {
    if (broken()) return util::fail(dropped(host));
    return inner_.run(host, command);
  }
  util::Status put_file(const std::string& host, const transport::FileSpec& file) override {
    if (broken()) return util::fail(dropped(host));
    return inner_.put_file(host, file);
  }
  util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                    const std::string& path) override {
    if (broken()) return util::fail(dropped(host));
    return inner_.get_file(host, path);
  }

  int calls() const { return calls_.load(); }

 private:
  bool broken() { return ++calls_ >= fail_from_; }
  static util::Error dropped(const std::string& host) {
    return util::Error::unavailable(host + ": connection dropped (injected fault)");
  }

  transport::Transport& inner_;
  const int fail_from_;
  std::atomic<int> calls_{0};
};

}  // namespace zerospof::testing
