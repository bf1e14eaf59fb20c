// transport: how apply reaches a host. One small interface with three implementations: Ssh (the
// OpenSSH client, for real hosts and lab hosts), Local (this machine, for tests and for files kept
// on the operator's machine), and, in tests/support/, Recording and Faulty doubles. Steps never
// ask which one they have: the outside world behind one small interface, faults injected by
// wrapping it.
//
// Guarantees every implementation keeps: every call is bounded by its timeout; put_file is
// atomic on the host (a temporary file in the target directory, synced, then renamed over the
// target), so a reader or a killed apply sees the old content or the new one, never a mix; a
// command that runs and fails is a CommandResult with its exit code, while an Error means the
// host could not be asked at all (unreachable, host key refused). File contents are never
// logged. Implementations are safe to call from several threads at once.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "model/address.h"
#include "util/error.h"
#include "util/process.h"

namespace zerospof::transport {

// A command for a host's shell (`sh -c`), with optional standard input and a bound.
struct Command {
  std::string script;
  std::optional<std::string> input;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};

  // The words quoted for sh, so `argv({"echo", "a b"})` prints "a b": no shell expansion.
  static Command argv(const std::vector<std::string>& words);
};

using CommandResult = util::ProcessResult;

struct FileSpec {
  std::string path;  // absolute path on the host
  std::string content;
  unsigned mode = 0644;
};

class Transport {
 public:
  virtual ~Transport() = default;

  virtual util::Result<CommandResult> run(const std::string& host, const Command& command) = 0;
  // Writes `file` atomically, creating missing parent directories (0755).
  virtual util::Status put_file(const std::string& host, const FileSpec& file) = 0;
  // The content of `path`, or std::nullopt when it does not exist.
  virtual util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                            const std::string& path) = 0;
  // A Unix socket on this machine whose connections reach TCP `port` at `address` as the host
  // connects to it: how the drill reaches servers that admit only the cluster's own addresses
  // (etcd's client port and each apiserver on the host's loopback; a Service's cluster IP, which
  // only the nodes' kube-proxy rules lead to a pod). Asking twice for the same host, address and
  // port gives the same socket. The tunnel lives until the transport is destroyed or its
  // connection to the host ends (a crashed host); connecting after that fails at once, as
  // connecting to the dead server would. An Error when this transport cannot tunnel (the default
  // cannot) or `address` is not an IP address.
  virtual util::Result<std::string> tunnel(const std::string& host, const model::IpAddress& address,
                                           int port);
  // tunnel() to the host's own 127.0.0.1.
  util::Result<std::string> tunnel_to_loopback(const std::string& host, int port);
};

// `text` single-quoted for a POSIX shell.
std::string shell_quote(const std::string& text);

// The shell script that put_file runs on a host, reading `file.content` from stdin. Shared by
// implementations that carry files through run(). The script knows the size and sha256 of the
// content it expects and renames nothing unless the bytes it received are exactly those: a
// standard input that ends early (apply killed, a dropped link, a timeout) or differs leaves the
// old file in place and fails.
std::string atomic_write_script(const FileSpec& file);

// run(), then a failed command becomes an Error quoting its stderr; returns stdout.
util::Result<std::string> run_checked(Transport& transport, const std::string& host,
                                      const Command& command);

}  // namespace zerospof::transport
