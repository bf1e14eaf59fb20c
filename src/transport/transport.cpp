#include "transport/transport.h"

#include <fmt/format.h>

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
std::string atomic_write_script(const std::string& path, unsigned mode) {
  std::string target = shell_quote(path);
  return fmt::format(
      "set -e; umask 022; d=$(dirname {0}); mkdir -p \"$d\"; "
      "t=$(mktemp \"$d/.zerospof-put.XXXXXX\"); trap 'rm -f \"$t\"' EXIT; "
      "cat > \"$t\"; chmod {1:o} \"$t\"; sync \"$t\"; mv -f \"$t\" {0}; trap - EXIT",
      target, mode);
}

util::Result<std::string> run_checked(Transport& transport, const std::string& host,
                                      const Command& command) {
  ZEROSPOF_ASSIGN_OR_RETURN(CommandResult result, transport.run(host, command));
  if (!result.succeeded()) {
    return util::fail(util::Error::unavailable(
        fmt::format("{}: {}", host, result.describe(first_words(command.script)))));
  }
  return result.out;
}

}  // namespace zerospof::transport
