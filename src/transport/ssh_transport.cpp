#include "transport/ssh_transport.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <system_error>

namespace zerospof::transport {
namespace {

constexpr int kSshFailed = 255;  // ssh's own exit status when it could not run the command
constexpr std::string_view kPresent = "present\n";
constexpr std::string_view kAbsent = "absent\n";

util::Error ssh_error(const std::string& host, const CommandResult& result) {
  std::string detail = result.describe("ssh");
  if (result.err.find("Host key verification failed") != std::string::npos ||
      result.err.find("REMOTE HOST IDENTIFICATION HAS CHANGED") != std::string::npos) {
    return util::Error::failed_precondition(
        fmt::format("{}: its host key is not the one known for it ({})", host, detail),
        "check the host's identity; add its key to the known_hosts file (never disable "
        "StrictHostKeyChecking)");
  }
  return util::Error::unavailable(fmt::format("{}: cannot reach it over ssh: {}", host, detail));
}

// Where the control directory goes: the temporary directory when a socket path below it fits
// (sun_path holds 108 bytes, ssh adds the 40-character %C hash and, while it binds, a
// 17-character random suffix), else /tmp. A long TMPDIR then costs nothing.
std::filesystem::path control_base() {
  constexpr std::size_t kSocketPathMaximum = 107;
  constexpr std::size_t kBelowTheBase = std::string_view("/zerospof-ssh-XXXXXX/").size() + 40 + 17;
  std::error_code error;
  auto temporary = std::filesystem::temp_directory_path(error);
  if (error || temporary.string().size() + kBelowTheBase > kSocketPathMaximum ||
      temporary.string().find_first_of(" \t\"%\\") != std::string::npos)
    return "/tmp";
  return temporary;
}

// A path as the value of an `ssh -o` option: ssh splits values on spaces (UserKnownHostsFile
// takes several files) and expands %-tokens, so the path is double-quoted and its % doubled. A
// double quote or backslash cannot be quoted this way and is refused.
util::Result<std::string> ssh_option_path(const std::string& path, const std::string& what) {
  if (path.find_first_of("\"\\\n") != std::string::npos)
    return util::fail(util::Error::invalid_input(
        fmt::format("{} {} holds a quote, backslash or newline, which ssh cannot be given", what,
                    path),
        {}, "rename the file or give a path without them"));
  std::string escaped;
  for (char c : path) escaped += c == '%' ? std::string("%%") : std::string(1, c);
  return "\"" + escaped + "\"";
}

}  // namespace

util::Result<std::unique_ptr<SshTransport>> SshTransport::create(
    std::map<std::string, SshTarget> hosts, SshOptions options) {
  if (!options.known_hosts.empty())
    ZEROSPOF_RETURN_IF_ERROR(ssh_option_path(options.known_hosts, "the known_hosts file"));
  std::filesystem::path base = control_base();
  // mkdtemp makes the directory 0700: nobody else can reach our master sockets.
  std::string pattern = (base / "zerospof-ssh-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return util::fail(util::Error::failed_precondition(fmt::format(
        "cannot create a private directory for ssh control sockets in {}", base.string())));
  }
  return std::unique_ptr<SshTransport>(
      new SshTransport(std::move(hosts), std::move(options), std::move(pattern)));
}

SshTransport::SshTransport(std::map<std::string, SshTarget> hosts, SshOptions options,
                           std::string control_dir)
    : hosts_(std::move(hosts)), options_(std::move(options)), control_dir_(std::move(control_dir)) {
  for (const auto& [name, target] : hosts_) connecting_[name] = std::make_unique<std::mutex>();
}

SshTransport::~SshTransport() {
  close_masters();
  std::error_code error;
  std::filesystem::remove_all(control_dir_, error);
}

void SshTransport::close_masters() {
  for (const auto& host : connected_) {
    auto argv = ssh_argv(host);
    if (!argv) continue;
    argv->insert(argv->end() - 1, {"-O", "exit"});
    (void)util::run(*argv, {.timeout = std::chrono::seconds(5)});
  }
}

util::Result<std::vector<std::string>> SshTransport::ssh_argv(const std::string& host) const {
  auto found = hosts_.find(host);
  if (found == hosts_.end()) {
    return util::fail(util::Error::internal(fmt::format("no ssh settings for host {}", host)));
  }
  const SshTarget& target = found->second;
  std::vector<std::string> argv{"ssh", "-o", "ControlMaster=auto", "-o",
                                "ControlPath=" + control_dir_ + "/%C", "-o", "ControlPersist=60",
                                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o",
                                fmt::format("ConnectTimeout={}", options_.connect_timeout.count()),
                                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-o",
                                // A tunnel asked for again after its master died replaces the
                                // socket the dead master left behind.
                                "StreamLocalBindUnlink=yes", "-o", "LogLevel=ERROR"};
  if (!options_.known_hosts.empty()) {
    // Checked by create(): a path ssh can be given.
    ZEROSPOF_ASSIGN_OR_RETURN(auto known_hosts,
                              ssh_option_path(options_.known_hosts, "the known_hosts file"));
    argv.insert(argv.end(), {"-o", "UserKnownHostsFile=" + known_hosts, "-o",
                             "GlobalKnownHostsFile=/dev/null"});
  }
  if (!target.identity_file.empty()) {
    argv.insert(argv.end(), {"-i", target.identity_file, "-o", "IdentitiesOnly=yes"});
  }
  if (target.port != 0) argv.insert(argv.end(), {"-p", std::to_string(target.port)});
  if (!target.user.empty()) argv.insert(argv.end(), {"-l", target.user});
  argv.push_back(target.address);
  return argv;
}

// The first command to a host opens its master connection; holding a per-host lock for it
// keeps parallel steps from racing to open several. Later commands share the master, and run
// side by side: the transport's lock guards the set of connected hosts only, never a command (it
// once did, and every command of a drill, its monitor and status waited for the one before).
util::Result<CommandResult> SshTransport::run(const std::string& host, const Command& command) {
  auto found = connecting_.find(host);
  if (found == connecting_.end()) {
    return util::fail(util::Error::internal(fmt::format("no ssh settings for host {}", host)));
  }
  bool connected = false;
  {
    std::lock_guard lock(mutex_);
    connected = connected_.count(host) != 0;
  }
  if (connected) return run_once(host, command);
  std::lock_guard connecting(*found->second);
  auto result = run_once(host, command);
  if (result) {
    std::lock_guard lock(mutex_);
    connected_.insert(host);
  }
  return result;
}

util::Result<CommandResult> SshTransport::run_once(const std::string& host,
                                                   const Command& command) {
  ZEROSPOF_ASSIGN_OR_RETURN(auto argv, ssh_argv(host));
  argv.push_back("--");
  argv.push_back(command.script);
  ZEROSPOF_ASSIGN_OR_RETURN(
      CommandResult result,
      util::run(argv, {.timeout = command.timeout,
                       .input = command.input ? command.input : std::optional<std::string>("")}));
  if (result.exit_code == kSshFailed) return util::fail(ssh_error(host, result));
  return result;
}

util::Status SshTransport::put_file(const std::string& host, const FileSpec& file) {
  Command command{.script = atomic_write_script(file), .input = file.content};
  // Large binaries take a while even on a fast link; allow about 20 MB/s plus a minute.
  command.timeout = std::chrono::seconds(60 + file.content.size() / (20 << 20));
  ZEROSPOF_ASSIGN_OR_RETURN(CommandResult result, run(host, command));
  if (!result.succeeded()) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("{}: cannot write {}: {}", host, file.path, result.describe("sh"))));
  }
  return {};
}

util::Result<std::optional<std::string>> SshTransport::get_file(const std::string& host,
                                                                const std::string& path) {
  std::string quoted = shell_quote(path);
  Command command{.script = fmt::format("if [ -e {0} ]; then echo present; cat {0}; else echo "
                                        "absent; fi",
                                        quoted)};
  ZEROSPOF_ASSIGN_OR_RETURN(CommandResult result, run(host, command));
  if (!result.succeeded()) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("{}: cannot read {}: {}", host, path, result.describe("sh"))));
  }
  if (result.out.rfind(kAbsent, 0) == 0) return std::optional<std::string>{};
  if (result.out.rfind(kPresent, 0) != 0) {
    return util::fail(
        util::Error::internal(fmt::format("{}: unexpected answer reading {}", host, path)));
  }
  return std::optional<std::string>(result.out.substr(kPresent.size()));
}

util::Result<std::string> SshTransport::tunnel(const std::string& host,
                                               const model::IpAddress& address, int port) {
  if (port <= 0 || port > 65535)
    return util::fail(util::Error::internal(fmt::format("no TCP port {} to tunnel to", port)));
  // ssh's -L takes an IPv6 address in brackets; the address is a parsed one, never a name.
  const std::string target = model::url_host(address.to_string());
  std::string socket;
  {
    std::lock_guard lock(mutex_);
    auto& path = tunnels_[{host, target, port}];
    // Short names: a Unix socket path has room for about 100 bytes.
    if (path.empty()) path = fmt::format("{}/t{}", control_dir_, tunnels_.size());
    socket = path;
  }
  // The master first (a forward is a request to it); then the forward, which the master keeps.
  ZEROSPOF_ASSIGN_OR_RETURN(CommandResult ready,
                            run(host, {.script = "true", .timeout = std::chrono::seconds(15)}));
  if (!ready.succeeded())
    return util::fail(util::Error::unavailable(
        fmt::format("{}: cannot open a tunnel: {}", host, ready.describe("ssh"))));
  ZEROSPOF_ASSIGN_OR_RETURN(auto argv, ssh_argv(host));
  argv.insert(argv.end() - 1,
              {"-O", "forward", "-L", fmt::format("{}:{}:{}", socket, target, port)});
  ZEROSPOF_ASSIGN_OR_RETURN(CommandResult forwarded,
                            util::run(argv, {.timeout = std::chrono::seconds(15)}));
  if (!forwarded.succeeded())
    return util::fail(
        util::Error::unavailable(fmt::format("{}: cannot tunnel to {}:{}: {}", host, target, port,
                                             forwarded.describe("ssh -O forward"))));
  return socket;
}

}  // namespace zerospof::transport
