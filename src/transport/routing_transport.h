// RoutingTransport: one Transport for apply's runner over two: host "" (the operator's own
// machine) goes to `local`, every other host to `remote`. Holds references; both must outlive it.
#pragma once

#include "transport/transport.h"

namespace zerospof::transport {

class RoutingTransport : public Transport {
 public:
  RoutingTransport(Transport& remote, Transport& local) : remote_(remote), local_(local) {}

  util::Result<CommandResult> run(const std::string& host, const Command& command) override {
    return pick(host).run(host, command);
  }
  util::Status put_file(const std::string& host, const FileSpec& file) override {
    return pick(host).put_file(host, file);
  }
  util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                    const std::string& path) override {
    return pick(host).get_file(host, path);
  }
  util::Result<std::string> tunnel(const std::string& host, const model::IpAddress& address,
                                   int port) override {
    return pick(host).tunnel(host, address, port);
  }

 private:
  Transport& pick(const std::string& host) { return host.empty() ? local_ : remote_; }
  Transport& remote_;
  Transport& local_;
};

}  // namespace zerospof::transport
