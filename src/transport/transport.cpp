#include "transport/transport.h"

#include <fmt/format.h>

#include "util/digest.h"

namespace zerospof::transport {
namespace {

// The start of a script, to name a failed command without quoting a whole script.
std::string first_words(const std::string& script) {
  constexpr std::size_t kMax = 60;
  std::string line = script.substr(0, script.find('\n'));
  return line.size() > kMax ? line.substr(0, kMax) + "..." : line;
}

}  // namespace

Command Command::argv(const std::vector<std::string>& words) {
  Command command;
  for (const auto& word : words) {
    if (!command.script.empty()) command.script += ' ';
    command.script += shell_quote(word);
  }
  return command;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// mktemp in the target's own directory keeps the rename atomic (same filesystem); `sync FILE`
// fsyncs the content before the rename makes it visible, so a crash cannot leave an empty file.
// `cat` exits 0 when its input merely ends, so the size and sha256 of what arrived are checked
// before the rename: a cut or corrupted stream fails here and the EXIT trap removes it.
std::string atomic_write_script(const FileSpec& file) {
  std::string target = shell_quote(file.path);
  return fmt::format(
      "set -e; umask 022; d=$(dirname {0}); mkdir -p \"$d\"; "
      "t=$(mktemp \"$d/.zerospof-put.XXXXXX\"); trap 'rm -f \"$t\"' EXIT; "
      "cat > \"$t\"; "
      "n=$(wc -c < \"$t\"); if [ \"$n\" -ne {2} ]; then "
      "echo {0}\": received $n of {2} bytes; the file on the host is unchanged\" >&2; exit 3; fi; "
      "s=$(sha256sum < \"$t\"); if [ \"${{s%% *}}\" != {3} ]; then "
      "echo {0}\": the sha256 of the received bytes differs from the sent ones; the file on the "
      "host is unchanged\" >&2; exit 3; fi; "
      "chmod {1:o} \"$t\"; sync \"$t\"; mv -f \"$t\" {0}; trap - EXIT",
      target, file.mode, file.content.size(), util::sha256_hex(file.content));
}

util::Result<std::string> Transport::tunnel(const std::string& host,
                                            const model::IpAddress& address, int port) {
  return util::fail(util::Error::failed_precondition(
      fmt::format("{}: this transport cannot tunnel to {}", host,
                  model::url_host(address.to_string()) + ":" + std::to_string(port)),
      "reach the host over SSH"));
}

util::Result<std::string> Transport::tunnel_to_loopback(const std::string& host, int port) {
  return tunnel(host, *model::IpAddress::parse("127.0.0.1"), port);
}

util::Result<std::string> run_checked(Transport& transport, const std::string& host,
                                      const Command& command) {
  ZEROSPOF_ASSIGN_OR_RETURN(CommandResult result, transport.run(host, command));
  if (!result.succeeded()) {
    // The host answered and the command failed: not transient (an unreachable host is already
    // an unavailable error from the transport).
    return util::fail(util::Error::failed_precondition(
        fmt::format("{}: {}", host, result.describe(first_words(command.script)))));
  }
  return result.out;
}

}  // namespace zerospof::transport
