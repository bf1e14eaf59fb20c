#include "lab/base_image.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "util/files.h"
#include "util/process.h"

namespace zerospof::lab {
namespace {

namespace fs = std::filesystem;

// Bumped whenever the recipe below changes, so that caches made by an older zerospof are rebuilt.
constexpr const char* kRecipe = "bookworm-2";

std::string joined(const std::vector<std::string>& words, const char* separator) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

std::string recipe_marker() {
  return fmt::format("{} {}\n", kRecipe, joined(base_packages(), ","));
}

util::Status debootstrap(const fs::path& target, const std::string& mirror) {
  std::vector<std::string> command{"debootstrap", "--variant=minbase",
                                   "--include=" + joined(base_packages(), ","), "bookworm",
                                   target.string()};
  if (!mirror.empty()) command.push_back(mirror);
  util::RunOptions options;
  options.timeout = std::chrono::minutes(30);
  auto result = util::run_checked(command, options);
  if (!result) {
    return util::fail(util::Error::unavailable(
        fmt::format("debootstrap of the lab's Debian image failed: {}", result.error().message)));
  }
  return {};
}

// Units that would only burn CPU or touch the network on an idle lab host.
util::Status mask_idle_noise(const fs::path& root) {
  const std::vector<std::string> masked{"apt-daily.timer",      "apt-daily-upgrade.timer",
                                        "dpkg-db-backup.timer", "e2scrub_all.timer",
                                        "fstrim.timer",         "e2scrub_reap.service"};
  std::vector<std::string> command{"systemctl", "--root=" + root.string(), "mask"};
  command.insert(command.end(), masked.begin(), masked.end());
  ZEROSPOF_ASSIGN_OR_RETURN(auto masked_output, util::run_checked(command));
  (void)masked_output;
  // Installed for `apply` to configure and enable; unconfigured, they would only fail or idle.
  ZEROSPOF_ASSIGN_OR_RETURN(auto disabled,
                            util::run_checked({"systemctl", "--root=" + root.string(), "disable",
                                               "haproxy.service", "keepalived.service"}));
  (void)disabled;
  return {};
}

// Each host gets its own SSH host key and machine ID, so the image must carry none.
util::Status make_hosts_distinct(const fs::path& root) {
  for (const auto& entry : fs::directory_iterator(root / "etc/ssh")) {
    if (entry.path().filename().string().rfind("ssh_host_", 0) == 0) fs::remove(entry.path());
  }
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic((root / "etc/machine-id").string(), "",
                                                   {.mode = 0444, .overwrite = true}));
  // dbus's postinst left an ID of its own, which systemd copies into an empty machine-id
  // before it looks at the container UUID: every host would share it. Point it at
  // /etc/machine-id, as on an installed Debian system.
  const fs::path dbus_id = root / "var/lib/dbus/machine-id";
  std::error_code error;
  fs::remove(dbus_id, error);
  fs::create_directories(dbus_id.parent_path(), error);
  fs::create_symlink("/etc/machine-id", dbus_id, error);
  if (error)
    return util::fail(util::Error::unavailable(
        fmt::format("cannot link {} to /etc/machine-id: {}", dbus_id.string(), error.message())));
  return util::write_file_atomic((root / "etc/ssh/sshd_config.d/zerospof-lab.conf").string(),
                                 "# Written by zerospof lab: key-only root login, one host key.\n"
                                 "HostKey /etc/ssh/ssh_host_ed25519_key\n"
                                 "PermitRootLogin prohibit-password\n"
                                 "PasswordAuthentication no\n"
                                 "UseDNS no\n",
                                 {.mode = 0644, .overwrite = true});
}

}  // namespace

const std::vector<std::string>& base_packages() {
  static const std::vector<std::string> packages{
      "systemd", "systemd-sysv", "dbus", "openssh-server", "iproute2", "nftables", "haproxy",
      "keepalived", "ca-certificates", "procps", "iputils-ping",
      // kube-proxy programs Services with iptables-restore and clears UDP flows with conntrack,
      // on the lab's real pods as on a real host (apply's preflight asks for them).
      "iptables", "conntrack"};
  return packages;
}

util::Result<fs::path> ensure_base_image(const fs::path& cache_dir, const std::string& mirror,
                                         const Progress& progress) {
  const fs::path image = cache_dir / "bookworm";
  const fs::path marker = cache_dir / "bookworm.recipe";
  fs::create_directories(cache_dir);
  // Two `lab up` at once must not build into the same partial directory: one waits for the
  // other's image (the lock ends with the descriptor, whatever way this process ends).
  int lock = ::open((cache_dir / "bookworm.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    if (lock >= 0) ::close(lock);
    return util::fail(util::Error::unavailable(fmt::format(
        "cannot lock {}: {}", (cache_dir / "bookworm.lock").string(), std::strerror(errno))));
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }
  } unlock{lock};
  auto existing = util::read_file(marker.string());
  if (existing && *existing == recipe_marker() && fs::is_directory(image)) return image;
  progress(fmt::format("building the Debian bookworm image in {} (once; a few minutes)",
                       image.string()));
  const fs::path partial = cache_dir / "bookworm.partial";
  fs::remove_all(partial);
  auto started = std::chrono::steady_clock::now();
  ZEROSPOF_RETURN_IF_ERROR(debootstrap(partial, mirror));
  ZEROSPOF_RETURN_IF_ERROR(mask_idle_noise(partial));
  ZEROSPOF_RETURN_IF_ERROR(make_hosts_distinct(partial));
  fs::remove(marker);
  fs::remove_all(image);
  fs::rename(partial, image);
  ZEROSPOF_RETURN_IF_ERROR(
      util::write_file_atomic(marker.string(), recipe_marker(), {.mode = 0644, .overwrite = true}));
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  progress(fmt::format("Debian image ready in {}s", seconds.count()));
  return image;
}

}  // namespace zerospof::lab
