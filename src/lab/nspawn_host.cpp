#include "lab/nspawn_host.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "lab/host_cgroup.h"
#include "lab/netns.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

util::Error filesystem_error(const std::string& what, const std::error_code& error) {
  return util::Error::failed_precondition(fmt::format("{}: {}", what, error.message()));
}

// Mount points (as written in /proc/self/mountinfo) at or below `prefix`.
std::vector<std::string> mounts_under(const fs::path& prefix) {
  std::vector<std::string> found;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    if (mount_point.rfind(prefix.string(), 0) == 0) found.push_back(mount_point);
  }
  return found;
}

bool is_mounted(const fs::path& path) {
  for (const auto& mount_point : mounts_under(path)) {
    if (mount_point == path.string()) return true;
  }
  return false;
}

util::Status mount_overlay(const LabFiles& files, const fs::path& base, const HostRecord& host) {
  const fs::path dir = files.host_dir(host.name);
  std::error_code error;
  for (const char* sub : {"upper", "work", "root", "containerd", "kubelet"})
    fs::create_directories(dir / sub, error);
  if (error) return util::fail(filesystem_error("cannot create " + dir.string(), error));
  if (is_mounted(files.host_root(host.name))) return {};
  std::string options = fmt::format("lowerdir={},upperdir={},workdir={}", base.string(),
                                    (dir / "upper").string(), (dir / "work").string());
  if (mount("overlay", files.host_root(host.name).c_str(), "overlay", 0, options.c_str()) != 0) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot mount the root of lab host {}: {}", host.name, std::strerror(errno)),
        "the lab needs overlayfs (modprobe overlay) and root"));
  }
  return {};
}

util::Status write_into(const fs::path& root, const std::string& path, const std::string& content,
                        mode_t mode) {
  std::error_code error;
  fs::create_directories((root / path).parent_path(), error);
  if (error) return util::fail(filesystem_error("cannot create " + path, error));
  return util::write_file_atomic((root / path).string(), content,
                                 {.mode = mode, .overwrite = true});
}

// True when `pid` is PID 1 of its own PID namespace (the last NSpid field of its status is 1).
bool is_namespace_init(const fs::path& process) {
  std::ifstream status(process / "status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("NSpid:", 0) == 0)
      return line.size() > 2 && line.substr(line.size() - 2) == "\t1";
  }
  return false;
}

// The container's init among the children of systemd-nspawn `parent`: systemd-nspawn also has
// short-lived helper children, which are not PID 1 of a namespace. Scans /proc, so it does not
// depend on CONFIG_PROC_CHILDREN.
std::optional<pid_t> child_of(pid_t parent) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto stat = util::read_process_stat(entry.path() / "stat");
    if (stat && stat->parent == parent && is_namespace_init(entry.path())) {
      return static_cast<pid_t>(std::stol(name));
    }
  }
  return std::nullopt;
}

std::string read_small(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// The name the keeper's shell runs under ($0), which tells its processes from any other shell.
constexpr const char* kKeeperName = "zerospof-lab-keeper";

// Whose command line (/proc/PID/cmdline, arguments ended by NULs) it is.
bool names_nspawn(const std::string& command_line) {
  return command_line.rfind("systemd-nspawn", 0) == 0;
}
bool names_keeper(const std::string& command_line) {
  return command_line.find(std::string(1, '\0') + kKeeperName + '\0') != std::string::npos;
}

// True when `pid` is a process of that kind that we started for this host (PIDs are reused).
bool is_ours(pid_t pid, const LabFiles& files, const HostRecord& host,
             bool (*names)(const std::string&)) {
  if (!util::process_alive(pid)) return false;
  std::string command_line = read_small(fmt::format("/proc/{}/cmdline", pid));
  return names(command_line) &&
         command_line.find(files.host_root(host.name).string()) != std::string::npos;
}

std::optional<pid_t> recorded_pid(const fs::path& file) {
  std::string text = read_small(file);
  if (text.empty() || text.find_first_not_of("0123456789\n") != std::string::npos ||
      text.size() > 12) {
    return std::nullopt;
  }
  return static_cast<pid_t>(std::stol(text));
}

std::optional<pid_t> recorded_nspawn(const LabFiles& files, const HostRecord& host) {
  auto pid = recorded_pid(files.nspawn_pid_file(host.name));
  if (!pid || !is_ours(*pid, files, host, names_nspawn)) return std::nullopt;
  return pid;
}

std::optional<pid_t> recorded_keeper(const LabFiles& files, const HostRecord& host) {
  auto pid = recorded_pid(files.keeper_pid_file(host.name));
  if (!pid || !is_ours(*pid, files, host, names_keeper)) return std::nullopt;
  return pid;
}

// Waits (bounded) for the keeper's current systemd-nspawn to start the host's init.
std::optional<pid_t> wait_for_init(const LabFiles& files, const HostRecord& host, pid_t keeper,
                                   std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline && util::process_alive(keeper)) {
    if (auto nspawn = recorded_nspawn(files, host)) {
      if (auto init = child_of(*nspawn)) return init;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return std::nullopt;
}

// A machine ID of the host's own, the same at every boot as a real server's: systemd
// initialises the image's empty /etc/machine-id from the container UUID. Derived from the host
// name (two FNV-1a hashes, 128 bits), so hosts of one lab never share one.
std::string machine_uuid(const std::string& host) {
  auto fnv = [](const std::string& text) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ULL;
    return hash;
  };
  return fmt::format("{:016x}{:016x}", fnv("zerospof lab host " + host),
                     fnv(host + " zerospof lab host"));
}

// What a host needs beyond a plain container to run a kubelet, containerd and runc as a real
// server does (kind's node image solves the same problems for Docker): every capability (runc
// sets up namespaces, mounts and cgroups for each pod); the keyring and bpf system calls that
// runc uses and nspawn's filter refuses; the kernel log the kubelet watches for OOM kills; its
// own network sysctls writable (forwarding, the bridge and conntrack settings of kube-proxy and
// the CNI: they belong to the host's network namespace, not to this machine); and real
// directories for containerd's snapshots and the kubelet's volumes.
std::vector<std::string> nspawn_command(const LabFiles& files, const HostRecord& host) {
  return {"env",
          "SYSTEMD_NSPAWN_API_VFS_WRITABLE=network",
          "systemd-nspawn",
          "--boot",
          "--register=no",
          "--keep-unit",
          "--capability=all",
          "--system-call-filter=@keyring bpf",
          "--bind=/dev/kmsg",
          "--bind=" + files.container_storage(host.name).string() + ":/var/lib/containerd",
          "--bind=" + files.kubelet_storage(host.name).string() + ":/var/lib/kubelet",
          "--network-namespace-path=/run/netns/" + host_namespace(host.name),
          "--machine=" + host.name,
          "--uuid=" + machine_uuid(host.name),
          "--resolv-conf=off",
          "--timezone=off",
          "--link-journal=no",
          "--console=read-only",
          "-D",
          files.host_root(host.name).string()};
}

bool tcp_connects(const model::IpAddress& address, int port, milliseconds timeout) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<std::uint16_t>(port));
  std::memcpy(&target.sin_addr, address.bytes.data(), 4);
  bool connected = connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target) == 0;
  if (!connected && errno == EINPROGRESS) {
    pollfd waiting{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    connected = poll(&waiting, 1, static_cast<int>(timeout.count())) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0;
  }
  close(fd);
  return connected;
}

std::int64_t pss_bytes(const fs::path& process) {
  std::ifstream rollup(process / "smaps_rollup");
  std::string key;
  std::int64_t kibibytes = 0;
  while (rollup >> key) {
    if (key == "Pss:") {
      rollup >> kibibytes;
      return kibibytes * 1024;
    }
    rollup.ignore(1 << 12, '\n');
  }
  return 0;
}

// What a real server's kernel and boot give its kubelet, which a container does not: the cgroup
// hierarchies writable (nspawn mounts them read-only; each is the host's own subtree, see
// host_cgroup.h), and the kernel settings the kubelet insists on (it refuses to start when it
// cannot set vm.overcommit_memory, kernel.panic and kernel.panic_on_oops). Those are this
// machine's, shared by every lab host, and are not the lab's to change: each host sees the
// kubelet's values in files of its own bound over them, and the machine's kernel is untouched.
constexpr const char* kHostSetupScript = R"(#!/bin/sh
# Written by zerospof lab at every boot: the lab host's stand-in for a server's kernel settings.
set -eu
mount -o remount,bind,rw /sys/fs/cgroup
for hierarchy in /sys/fs/cgroup/*; do
  if mountpoint -q "$hierarchy"; then mount -o remount,bind,rw "$hierarchy"; fi
done
mkdir -p /run/zerospof-lab/sysctl
for setting in vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1 \
               kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000; do
  key=${setting%%=*}
  file=/run/zerospof-lab/sysctl/$(echo "$key" | tr / .)
  echo "${setting#*=}" > "$file"
  mountpoint -q "/proc/sys/$key" || mount --bind "$file" "/proc/sys/$key"
done
)";

constexpr const char* kHostSetupUnit = R"([Unit]
Description=zerospof lab: writable cgroups and the kubelet's kernel settings (the host's own view)
DefaultDependencies=no
Before=sysinit.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/zerospof-lab-host

[Install]
WantedBy=sysinit.target
)";

util::Status write_host_setup(const fs::path& root) {
  ZEROSPOF_RETURN_IF_ERROR(
      write_into(root, "usr/local/sbin/zerospof-lab-host", kHostSetupScript, 0755));
  ZEROSPOF_RETURN_IF_ERROR(
      write_into(root, "etc/systemd/system/zerospof-lab-host.service", kHostSetupUnit, 0644));
  fs::path wants = root / "etc/systemd/system/sysinit.target.wants";
  std::error_code error;
  fs::create_directories(wants, error);
  fs::remove(wants / "zerospof-lab-host.service", error);
  fs::create_symlink("/etc/systemd/system/zerospof-lab-host.service",
                     wants / "zerospof-lab-host.service", error);
  if (error) return util::fail(filesystem_error("cannot enable zerospof-lab-host.service", error));
  return {};
}

}  // namespace

std::vector<std::string> keeper_command(const std::filesystem::path& pid_file,
                                        const std::vector<std::string>& cgroups,
                                        const std::vector<std::string>& payload) {
  std::vector<std::string> argv{
      "/bin/sh", "-c",
      "pid_file=$1; shift\n"
      "while :; do\n"
      "  ( while [ \"$1\" != -- ]; do echo 0 > \"$1\" || exit 125; shift; done; shift; "
      "exec \"$@\" ) &\n"
      "  payload=$!\n"
      "  echo \"$payload\" > \"$pid_file.new\" && mv -f \"$pid_file.new\" \"$pid_file\"\n"
      "  wait \"$payload\"; status=$?\n"
      "  [ \"$status\" -eq 133 ] || exit \"$status\"\n"
      "  echo \"zerospof lab: $(date -u +%Y-%m-%dT%H:%M:%SZ) the host asked for a reboot; booting "
      "it again\"\n"
      "done",
      kKeeperName, pid_file.string()};
  argv.insert(argv.end(), cgroups.begin(), cgroups.end());
  argv.push_back("--");
  argv.insert(argv.end(), payload.begin(), payload.end());
  return argv;
}

util::Status prepare_host_root(const LabFiles& files, const fs::path& base_image,
                               const HostRecord& host, const HostIdentity& identity) {
  ZEROSPOF_RETURN_IF_ERROR(mount_overlay(files, base_image, host));
  const fs::path root = files.host_root(host.name);
  ZEROSPOF_RETURN_IF_ERROR(write_into(root, "etc/hostname", host.name + "\n", 0644));
  ZEROSPOF_RETURN_IF_ERROR(write_into(root, "etc/hosts", identity.hosts_file, 0644));
  ZEROSPOF_RETURN_IF_ERROR(write_host_setup(root));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string key, util::read_file(identity.host_key.string()));
  ZEROSPOF_ASSIGN_OR_RETURN(std::string public_key,
                            util::read_file(identity.host_key.string() + ".pub"));
  ZEROSPOF_RETURN_IF_ERROR(write_into(root, "etc/ssh/ssh_host_ed25519_key", key, 0600));
  ZEROSPOF_RETURN_IF_ERROR(write_into(root, "etc/ssh/ssh_host_ed25519_key.pub", public_key, 0644));
  std::error_code error;
  fs::create_directories(root / "root/.ssh", error);
  fs::permissions(root / "root/.ssh", fs::perms::owner_all, error);
  return write_into(root, "root/.ssh/authorized_keys", identity.operator_public_key, 0600);
}

util::Result<pid_t> boot_host(const LabFiles& files, const HostRecord& host) {
  if (auto init = running_init(files, host)) return *init;
  // A keeper between two boots of a reboot: the host comes back by itself, and a second keeper
  // would boot it twice.
  if (auto keeper = recorded_keeper(files, host)) {
    if (auto init = wait_for_init(files, host, *keeper, std::chrono::seconds(15))) return *init;
  }
  // A host that crashed left its cgroups behind, possibly with the kubelet's below them.
  ZEROSPOF_RETURN_IF_ERROR(remove_host_cgroups(files.cgroups_record(host.name)));
  ZEROSPOF_ASSIGN_OR_RETURN(std::vector<std::string> cgroups,
                            make_host_cgroups(host.name, files.cgroups_record(host.name)));
  std::error_code ignored;
  fs::remove(files.nspawn_pid_file(host.name), ignored);
  ZEROSPOF_ASSIGN_OR_RETURN(
      pid_t keeper, util::spawn_detached(keeper_command(files.nspawn_pid_file(host.name), cgroups,
                                                        nspawn_command(files, host)),
                                         {files.console_log(host.name).string()}));
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic(files.keeper_pid_file(host.name).string(),
                                                   fmt::format("{}\n", keeper),
                                                   {.mode = 0644, .overwrite = true}));
  if (auto init = wait_for_init(files, host, keeper, std::chrono::seconds(15))) return *init;
  return util::fail(util::Error::unavailable(fmt::format(
      "lab host {} did not boot; see {}", host.name, files.console_log(host.name).string())));
}

std::optional<pid_t> running_init(const LabFiles& files, const HostRecord& host) {
  auto nspawn = recorded_nspawn(files, host);
  if (!nspawn) return std::nullopt;
  auto init = child_of(*nspawn);
  if (!init || !util::process_alive(*init)) return std::nullopt;
  return init;
}

util::Status wait_for_ssh(const model::IpAddress& address, milliseconds timeout) {
  ZEROSPOF_RETURN_IF_ERROR(require_lab_address(address));
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (tcp_connects(address, 22, milliseconds(500))) return {};
    std::this_thread::sleep_for(milliseconds(100));
  }
  util::Error error = util::Error::unavailable(
      fmt::format("sshd on {} did not answer within {}s", address.to_string(),
                  std::chrono::duration_cast<std::chrono::seconds>(timeout).count()));
  error.code = util::ErrorCode::kTimeout;
  return util::fail(std::move(error));
}

util::Status kill_container(const LabFiles& files, const HostRecord& host) {
  // The keeper first: a host killed in the middle of a reboot must not be booted again by it.
  if (auto keeper = recorded_keeper(files, host)) kill(*keeper, SIGKILL);
  auto nspawn = recorded_nspawn(files, host);
  if (!nspawn) return remove_host_cgroups(files.cgroups_record(host.name));
  if (auto init = child_of(*nspawn)) kill(*init, SIGKILL);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && util::process_alive(*nspawn)) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  if (util::process_alive(*nspawn)) {
    kill(*nspawn, SIGKILL);  // nspawn hung in its own cleanup: it is ours, and only it is left
  }
  return remove_host_cgroups(files.cgroups_record(host.name));
}

util::Status unmount_host_root(const LabFiles& files, const HostRecord& host) {
  const fs::path root = files.host_root(host.name);
  if (!is_mounted(root)) return {};
  if (umount2(root.c_str(), 0) != 0 && umount2(root.c_str(), MNT_DETACH) != 0) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot unmount {}: {}", root.string(), std::strerror(errno))));
  }
  return {};
}

std::int64_t host_memory(pid_t init) {
  std::error_code error;
  fs::path init_namespace = fs::read_symlink(fmt::format("/proc/{}/ns/pid", init), error);
  if (error) return 0;
  std::int64_t total = 0;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    std::error_code link_error;
    if (fs::read_symlink(entry.path() / "ns/pid", link_error) != init_namespace) continue;
    total += pss_bytes(entry.path());
  }
  return total;
}

std::vector<std::string> host_leftovers(const LabFiles& files) {
  std::vector<std::string> found;
  for (const auto& mount_point : mounts_under(files.paths().state_dir / "hosts")) {
    found.push_back("mount " + mount_point);
  }
  std::error_code error;
  const std::string marker = (files.paths().state_dir / "hosts").string();
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    std::string command_line = read_small(entry.path() / "cmdline");
    if (command_line.find(marker) == std::string::npos) continue;
    if (names_nspawn(command_line)) {
      found.push_back("process " + entry.path().filename().string() + " systemd-nspawn");
    } else if (names_keeper(command_line)) {
      found.push_back("process " + entry.path().filename().string() + " " + kKeeperName);
    }
  }
  return found;
}

}  // namespace zerospof::lab
