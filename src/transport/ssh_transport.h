// SshTransport: hosts reached through the OpenSSH client, so that ~/.ssh/config, agents,
// ProxyJump and known_hosts behave as the user expects. One master connection per host
// (ControlMaster=auto, ControlPersist=60) carries every command, in a private 0700 control
// directory made for this transport; the destructor closes the masters (`ssh -O exit`) and
// removes the directory.
//
// Guarantees: host keys are always verified (StrictHostKeyChecking=yes, never disabled; a
// known_hosts file can be given, as the lab does); never prompts (BatchMode=yes); every
// connection and command is bounded (ConnectTimeout, ServerAlive*, the command's timeout).
// A failure of ssh itself (exit 255: unreachable, refused key) is an Error naming the host;
// a remote command that fails is a CommandResult. Tunnels (tunnel) ride on the same
// masters. Safe to use from several threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "transport/transport.h"

namespace zerospof::transport {

struct SshTarget {
  std::string address;        // what ssh connects to: an address, DNS name or ~/.ssh/config alias
  std::string user;           // empty: ssh's default (or ~/.ssh/config)
  int port = 0;               // 0: ssh's default
  std::string identity_file;  // empty: agent and ssh's defaults
};

struct SshOptions {
  std::string known_hosts;  // UserKnownHostsFile; empty: the user's own known_hosts
  std::chrono::seconds connect_timeout{10};
};

class SshTransport : public Transport {
 public:
  // `hosts` maps the names steps use (plan node names) to how to reach them.
  static util::Result<std::unique_ptr<SshTransport>> create(std::map<std::string, SshTarget> hosts,
                                                            SshOptions options);
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  util::Result<CommandResult> run(const std::string& host, const Command& command) override;
  util::Status put_file(const std::string& host, const FileSpec& file) override;
  util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                    const std::string& path) override;
  // A local forward of the host's master connection (`ssh -O forward -L SOCKET:127.0.0.1:PORT`),
  // its socket in the private control directory: only this user can connect to it.
  util::Result<std::string> tunnel(const std::string& host, const model::IpAddress& address,
                                   int port) override;

  // The ssh command line (without the remote command) used for `host`.
  util::Result<std::vector<std::string>> ssh_argv(const std::string& host) const;

 private:
  SshTransport(std::map<std::string, SshTarget> hosts, SshOptions options, std::string control_dir);
  util::Result<CommandResult> run_once(const std::string& host, const Command& command);
  void close_masters();

  const std::map<std::string, SshTarget> hosts_;
  const SshOptions options_;
  const std::string control_dir_;
  std::mutex mutex_;
  std::set<std::string> connected_;  // hosts whose first command (the master) has run
  std::map<std::string, std::unique_ptr<std::mutex>> connecting_;
  // host, address and port: socket path
  std::map<std::tuple<std::string, std::string, int>, std::string> tunnels_;
};

}  // namespace zerospof::transport
