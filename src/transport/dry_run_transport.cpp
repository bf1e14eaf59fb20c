#include "transport/dry_run_transport.h"

#include <fmt/format.h>

namespace zerospof::transport {
namespace {

constexpr std::size_t kShown = 120;

std::string shortened(const std::string& script) {
  std::string line = script.substr(0, script.find('\n'));
  return line.size() > kShown ? line.substr(0, kShown) + "..." : line;
}

std::string host_name(const std::string& host) { return host.empty() ? "this machine" : host; }

}  // namespace

util::Result<CommandResult> DryRunTransport::run(const std::string& host, const Command& command) {
  std::lock_guard lock(mutex_);
  report_(fmt::format("would run on {}: {}", host_name(host), shortened(command.script)));
  return CommandResult{.exit_code = 0};
}

util::Status DryRunTransport::put_file(const std::string& host, const FileSpec& file) {
  std::lock_guard lock(mutex_);
  report_(fmt::format("would write {}:{} ({} bytes, mode {:04o})", host_name(host), file.path,
                      file.content.size(), file.mode));
  return {};
}

}  // namespace zerospof::transport
