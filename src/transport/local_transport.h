// LocalTransport: "hosts" are this machine. Commands run under `sh -c` (bounded, as
// util::run), files are written with util::write_file_atomic. The host name is ignored, so
// tests can point a whole plan at one directory tree, and the operator's own files (host "")
// go through the same interface. Safe to use from several threads.
#pragma once

#include "transport/transport.h"

namespace zerospof::transport {

class LocalTransport : public Transport {
 public:
  util::Result<CommandResult> run(const std::string& host, const Command& command) override;
  util::Status put_file(const std::string& host, const FileSpec& file) override;
  util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                    const std::string& path) override;
};

}  // namespace zerospof::transport
