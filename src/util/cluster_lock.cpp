#include "util/cluster_lock.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace zerospof::util {
namespace {

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "an unknown host";
  return name;
}

// "drill, pid 4242 on ops1 since 2026-11-24T18:40:13Z": who to look for before removing
// anything.
std::string holder_text(const std::string& activity) {
  return fmt::format("{}, pid {} on {} since {:%Y-%m-%dT%H:%M:%SZ}", activity, ::getpid(),
                     this_host(),
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

std::string read_holder(int fd) {
  char buffer[512] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string text(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.empty() ? "one that has not said who it is yet" : text;
}

Error lock_error(const std::string& path) {
  return Error::failed_precondition(fmt::format("cannot lock {}: {}", path, std::strerror(errno)),
                                    "check that the state directory is writable (--state-dir)");
}

}  // namespace

Result<std::unique_ptr<ClusterLock>> ClusterLock::acquire(const std::string& state_dir,
                                                          const std::string& activity) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error)
    return fail(Error::failed_precondition(
        fmt::format("cannot create the state directory {}: {}", state_dir, error.message())));
  std::string path = state_dir + "/apply.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail(lock_error(path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    Error failure =
        errno == EWOULDBLOCK
            ? Error::failed_precondition(
                  fmt::format("another apply or drill of this cluster is running: {} (lock {})",
                              read_holder(fd), path),
                  "wait for it to finish; the lock goes with its process, so there is nothing "
                  "to remove by hand")
            : lock_error(path);
    ::close(fd);
    return fail(failure);
  }
  // Ours now: say who we are, for the next one that finds the lock taken.
  std::string holder = holder_text(activity) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, holder.data(), holder.size(), 0) != static_cast<ssize_t>(holder.size())) {
    Error failure = lock_error(path);
    ::close(fd);
    return fail(failure);
  }
  return std::unique_ptr<ClusterLock>(new ClusterLock(fd, state_dir));
}

ClusterLock::~ClusterLock() { ::close(fd_); }

}  // namespace zerospof::util
