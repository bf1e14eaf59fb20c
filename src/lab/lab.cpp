#include "lab/lab.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include "lab/base_image.h"
#include "lab/host_cgroup.h"
#include "lab/lab_plan.h"
#include "lab/lab_state.h"
#include "lab/netns.h"
#include "lab/nspawn_host.h"
#include "lab/partition.h"
#include "lab/ssh_keys.h"
#include "plan/plan.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::lab {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr auto kBootTimeout = seconds(120);

util::Status create_private_dir(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot create {}: {}", path.string(), error.message())));
  }
  fs::permissions(path, fs::perms::owner_all, error);
  return {};
}

// Refuses to lay a different lab over one that is already up: its hosts would be orphaned.
util::Status check_same_lab(const LabFiles& files, const LabState& wanted) {
  if (!fs::exists(files.state_file())) return {};
  ZEROSPOF_ASSIGN_OR_RETURN(LabState existing, load_state(files));
  if (existing == wanted) return {};
  return util::fail(util::Error::failed_precondition(
      "a lab with other hosts or addresses is already up",
      "run `zerospof lab down` first, or `zerospof lab up` with the same plan and --nodes"));
}

HostState state_of(const LabFiles& files, const HostRecord& host) {
  if (running_init(files, host)) return HostState::kRunning;
  return fs::exists(files.killed_marker(host.name)) ? HostState::kKilled : HostState::kCrashed;
}

HostStatus status_of(const LabFiles& files, const HostRecord& host) {
  HostStatus status{host.name, host.address.to_string(), state_of(files, host), 0, 0};
  if (auto init = running_init(files, host)) {
    status.init_pid = *init;
    status.memory_bytes = host_memory(*init);
  }
  return status;
}

// Says why a host that should be running is not, before it is booted again.
void report_restart(const LabFiles& files, const HostRecord& host, const Progress& progress) {
  if (fs::exists(files.killed_marker(host.name))) {
    progress(fmt::format("{}: was stopped by `lab kill`; booting it again", host.name));
  } else if (fs::exists(files.nspawn_pid_file(host.name))) {
    progress(
        fmt::format("{}: was down although nothing in zerospof stopped it (crashed, or "
                    "killed by hand); booting it again",
                    host.name));
  }
}

// Network, root filesystem and boot of one host; a running host is left as it is.
util::Status bring_up_host(const LabFiles& files, const LabState& state, const fs::path& base,
                           const HostRecord& host, const Progress& progress) {
  ZEROSPOF_RETURN_IF_ERROR(connect_host(state, host));
  if (running_init(files, host)) {
    progress(fmt::format("{}: already running at {}", host.name, host.address.to_string()));
    return set_host_link(host, true);
  }
  report_restart(files, host, progress);
  ZEROSPOF_RETURN_IF_ERROR(create_private_dir(files.host_dir(host.name)));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string operator_key,
                            util::read_file(files.identity_file().string() + ".pub"));
  ZEROSPOF_ASSIGN_OR_RETURN(auto host_key, ensure_key(host_key_path(files, host.name), host.name));
  (void)host_key;
  HostIdentity identity{operator_key, host_key_path(files, host.name), hosts_file_text(state)};
  ZEROSPOF_RETURN_IF_ERROR(prepare_host_root(files, base, host, identity));
  ZEROSPOF_RETURN_IF_ERROR(set_host_link(host, true));
  ZEROSPOF_ASSIGN_OR_RETURN(pid_t init, boot_host(files, host));
  std::error_code ignored;
  fs::remove(files.killed_marker(host.name), ignored);
  progress(
      fmt::format("{}: booting at {} (systemd PID {})", host.name, host.address.to_string(), init));
  return {};
}

util::Status write_lab_files(const LabFiles& files, const model::Cluster& plan,
                             const LabState& state) {
  std::map<std::string, std::string> public_keys;
  for (const auto& host : state.hosts) {
    ZEROSPOF_ASSIGN_OR_RETURN(public_keys[host.name],
                              ensure_key(host_key_path(files, host.name), host.name));
  }
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic(files.known_hosts().string(),
                                                   known_hosts_text(state, public_keys),
                                                   {.mode = 0644, .overwrite = true}));
  model::Cluster cluster = lab_cluster(plan, state, files.identity_file().string());
  return util::write_file_atomic(files.plan_file().string(), plan::to_yaml(cluster),
                                 {.mode = 0644, .overwrite = true});
}

// Waits for every host's sshd, then logs in once to prove key and host key are right.
util::Status wait_until_reachable(const LabFiles& files, const LabState& state,
                                  const Progress& progress) {
  for (const auto& host : state.hosts) {
    ZEROSPOF_RETURN_IF_ERROR(wait_for_ssh(host.address, kBootTimeout));
    ZEROSPOF_ASSIGN_OR_RETURN(auto command, ssh_command(files.paths(), host.name, {"hostname"}));
    ZEROSPOF_ASSIGN_OR_RETURN(std::string name, util::run_checked(command));
    if (name != host.name + "\n") {
      return util::fail(
          util::Error::internal(fmt::format("lab host at {} calls itself \"{}\", not {}",
                                            host.address.to_string(), name, host.name)));
    }
    progress(fmt::format("{}: sshd up", host.name));
  }
  return {};
}

util::Status remove_lab_files(const LabFiles& files, const LabState* state) {
  std::error_code error;
  if (state != nullptr) {
    for (const auto& host : state->hosts) {
      // systemd-nspawn's own per-machine directory; it removes it only on a clean exit.
      fs::remove_all(fs::path("/run/systemd/nspawn/propagate") / host.name, error);
    }
  }
  fs::remove_all(files.paths().state_dir / "hosts", error);
  for (const auto& path : {files.state_file(), files.plan_file(), files.known_hosts()}) {
    fs::remove(path, error);
  }
  if (error) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot remove the lab's files: {}", error.message())));
  }
  return {};
}

util::Result<std::vector<std::string>> stop_hosts(const LabFiles& files, const LabState& state,
                                                  const Progress& progress) {
  for (const auto& host : state.hosts) {
    ZEROSPOF_RETURN_IF_ERROR(kill_container(files, host));
    ZEROSPOF_RETURN_IF_ERROR(unmount_host_root(files, host));
    progress(fmt::format("{}: stopped", host.name));
  }
  return std::vector<std::string>{};
}

}  // namespace

const char* to_string(HostState state) {
  switch (state) {
    case HostState::kRunning:
      return "running";
    case HostState::kKilled:
      return "killed";
    case HostState::kCrashed:
      return "down";
  }
  return "down";
}

util::Status require_root() {
  if (geteuid() == 0) return {};
  return util::fail(util::Error::failed_precondition(
      "zerospof lab must run as root: it creates network namespaces, mounts and containers",
      "run it again with sudo"));
}

util::Result<UpSummary> up(const model::Cluster& plan, const UpOptions& options) {
  ZEROSPOF_RETURN_IF_ERROR(require_root());
  const LabFiles files(options.paths);
  ZEROSPOF_ASSIGN_OR_RETURN(LabState state, plan_lab(plan, options.node_count, default_subnet()));
  ZEROSPOF_RETURN_IF_ERROR(check_same_lab(files, state));
  ZEROSPOF_RETURN_IF_ERROR(create_private_dir(options.paths.state_dir));
  ZEROSPOF_ASSIGN_OR_RETURN(
      fs::path base, ensure_base_image(options.paths.cache_dir, options.mirror, options.progress));
  ZEROSPOF_ASSIGN_OR_RETURN(auto operator_key, ensure_key(files.identity_file(), "zerospof-lab"));
  (void)operator_key;
  ZEROSPOF_RETURN_IF_ERROR(save_state(files, state));
  ZEROSPOF_RETURN_IF_ERROR(create_bridge(state));
  ZEROSPOF_RETURN_IF_ERROR(write_lab_files(files, plan, state));
  for (const auto& host : state.hosts) {
    ZEROSPOF_RETURN_IF_ERROR(bring_up_host(files, state, base, host, options.progress));
  }
  ZEROSPOF_RETURN_IF_ERROR(wait_until_reachable(files, state, options.progress));
  UpSummary summary{{}, files.plan_file(), files.known_hosts(), files.identity_file()};
  for (const auto& host : state.hosts) summary.hosts.push_back(status_of(files, host));
  return summary;
}

util::Result<std::vector<HostStatus>> status(const LabPaths& paths) {
  const LabFiles files(paths);
  ZEROSPOF_ASSIGN_OR_RETURN(LabState state, load_state(files));
  std::vector<HostStatus> hosts;
  for (const auto& host : state.hosts) hosts.push_back(status_of(files, host));
  return hosts;
}

util::Status kill_host(const LabPaths& paths, const std::string& name) {
  ZEROSPOF_RETURN_IF_ERROR(require_root());
  const LabFiles files(paths);
  ZEROSPOF_ASSIGN_OR_RETURN(LabState state, load_state(files));
  ZEROSPOF_ASSIGN_OR_RETURN(const HostRecord* host, find_host(state, name));
  if (!running_init(files, *host)) {
    return util::fail(
        util::Error::failed_precondition(fmt::format("lab host {} is not running", name),
                                         fmt::format("`zerospof lab start {}` boots it", name)));
  }
  // Link first, so that from this instant the host stops answering; then the crash itself.
  ZEROSPOF_RETURN_IF_ERROR(set_host_link(*host, false));
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic(files.killed_marker(name).string(), "",
                                                   {.mode = 0644, .overwrite = true}));
  return kill_container(files, *host);
}

util::Status start_host(const LabPaths& paths, const std::string& name, const Progress& progress) {
  ZEROSPOF_RETURN_IF_ERROR(require_root());
  const LabFiles files(paths);
  ZEROSPOF_ASSIGN_OR_RETURN(LabState state, load_state(files));
  ZEROSPOF_ASSIGN_OR_RETURN(const HostRecord* host, find_host(state, name));
  ZEROSPOF_ASSIGN_OR_RETURN(fs::path base, ensure_base_image(paths.cache_dir, "", progress));
  ZEROSPOF_RETURN_IF_ERROR(bring_up_host(files, state, base, *host, progress));
  ZEROSPOF_RETURN_IF_ERROR(wait_for_ssh(host->address, kBootTimeout));
  progress(fmt::format("{}: sshd up", name));
  return {};
}

util::Status partition(const LabPaths& paths, const std::string& groups) {
  ZEROSPOF_RETURN_IF_ERROR(require_root());
  ZEROSPOF_ASSIGN_OR_RETURN(LabState state, load_state(LabFiles(paths)));
  ZEROSPOF_ASSIGN_OR_RETURN(Groups parsed, parse_partition(groups, state));
  return apply_partition(state, parsed);
}

util::Status heal(const LabPaths& paths) {
  ZEROSPOF_RETURN_IF_ERROR(require_root());
  ZEROSPOF_ASSIGN_OR_RETURN(LabState state, load_state(LabFiles(paths)));
  return heal_partition(state);
}

util::Status down(const LabPaths& paths, const Progress& progress) {
  ZEROSPOF_RETURN_IF_ERROR(require_root());
  const LabFiles files(paths);
  std::optional<LabState> state;
  if (fs::exists(files.state_file())) {
    ZEROSPOF_ASSIGN_OR_RETURN(state, load_state(files));
    ZEROSPOF_ASSIGN_OR_RETURN(auto stopped, stop_hosts(files, *state, progress));
    (void)stopped;
  }
  ZEROSPOF_RETURN_IF_ERROR(destroy_network());
  ZEROSPOF_RETURN_IF_ERROR(remove_lab_files(files, state ? &*state : nullptr));
  auto left = leftovers(paths);
  if (left.empty()) return {};
  std::string list;
  for (const auto& item : left) list += "\n  " + item;
  return util::fail(util::Error::failed_precondition("the lab is down but these are left:" + list,
                                                     "remove them by hand, then report a bug"));
}

util::Result<std::vector<std::string>> ssh_command(const LabPaths& paths, const std::string& host,
                                                   const std::vector<std::string>& command) {
  const LabFiles files(paths);
  ZEROSPOF_ASSIGN_OR_RETURN(LabState state, load_state(files));
  ZEROSPOF_ASSIGN_OR_RETURN(const HostRecord* record, find_host(state, host));
  std::vector<std::string> argv{"ssh",
                                "-i",
                                files.identity_file().string(),
                                "-o",
                                "IdentitiesOnly=yes",
                                "-o",
                                "UserKnownHostsFile=" + files.known_hosts().string(),
                                "-o",
                                "GlobalKnownHostsFile=/dev/null",
                                "-o",
                                "StrictHostKeyChecking=yes",
                                "-o",
                                "BatchMode=yes",
                                "-o",
                                "ConnectTimeout=5",
                                "-o",
                                "LogLevel=ERROR",
                                "root@" + record->address.to_string()};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

std::vector<std::string> leftovers(const LabPaths& paths) {
  std::vector<std::string> found;
  for (auto& item : network_leftovers()) found.push_back("network " + item);
  for (auto& item : host_leftovers(LabFiles(paths))) found.push_back(item);
  for (auto& item : host_cgroup_leftovers()) found.push_back(item);
  return found;
}

}  // namespace zerospof::lab
