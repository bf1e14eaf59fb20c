// DryRunTransport: what --dry-run hands to the runner as the acting transport. Commands and
// writes are not performed: each is described to `report` ("would run on HOST: ...", "would
// write HOST:PATH (N bytes, mode 0600)") and answered with success; reads go to the real
// transport, since reading changes nothing. File contents are never described.
// Thread-safe: `report` is called under a lock.
#pragma once

#include <functional>
#include <mutex>

#include "transport/transport.h"

namespace zerospof::transport {

class DryRunTransport : public Transport {
 public:
  using Report = std::function<void(const std::string& line)>;
  DryRunTransport(Transport& reader, Report report) : reader_(reader), report_(std::move(report)) {}

  util::Result<CommandResult> run(const std::string& host, const Command& command) override;
  util::Status put_file(const std::string& host, const FileSpec& file) override;
  util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                    const std::string& path) override {
    return reader_.get_file(host, path);
  }

 private:
  Transport& reader_;
  Report report_;
  std::mutex mutex_;
};

}  // namespace zerospof::transport
