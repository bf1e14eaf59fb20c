#include "util/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace zerospof::util {

namespace {

Error io_error(const std::string& what, const std::string& path) {
  return Error::failed_precondition(
      fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)));
}

Status write_all(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Error::failed_precondition(std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  return read_input_file(path, std::string().max_size());
}

Result<std::string> read_input_file(const std::string& path, size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(io_error("read", path));
  std::string content;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error error = io_error("read", path);
      ::close(fd);
      return fail(error);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > limit) {
      ::close(fd);
      return fail(Error::invalid_input(
          fmt::format("{} is larger than {} MB", path, limit >> 20), {path, 0, 0},
          "give a plan or manifest file; split larger manifest sets into several files"));
    }
  }
  ::close(fd);
  return content;
}

Status write_file_atomic(const std::string& path, const std::string& content,
                         WriteOptions options) {
  struct stat existing;
  if (!options.overwrite && ::lstat(path.c_str(), &existing) == 0)
    return fail(Error::failed_precondition(fmt::format("{} already exists", path),
                                           "remove it first or pass --force to replace it"));
  // A hidden name beside the target (same filesystem, so the rename is atomic), chosen by
  // mkstemp: it opens with O_CREAT | O_EXCL and mode 0600, so nothing planted is followed and
  // nobody can read the content before fchmod sets the mode asked for.
  auto slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string temporary = directory + "." + name + ".zerospof-XXXXXX";
  int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) return fail(io_error("write a temporary file for", path));
  ::fchmod(fd, options.mode);  // the umask must not widen or narrow what was asked
  Status written = write_all(fd, content);
  if (written && ::fsync(fd) != 0) written = fail(io_error("sync", temporary));
  ::close(fd);
  if (written && ::rename(temporary.c_str(), path.c_str()) != 0)
    written = fail(io_error("rename onto", path));
  if (!written) ::unlink(temporary.c_str());
  return written;
}

Status check_private_directory(const std::string& path, const std::string& what) {
  struct stat info;
  if (::lstat(path.c_str(), &info) != 0) return fail(io_error("inspect", path));
  if (S_ISLNK(info.st_mode))
    return fail(Error::failed_precondition(
        fmt::format("{} {} is a symbolic link", what, path),
        "give the real directory: a link can be repointed after it is checked"));
  if (!S_ISDIR(info.st_mode))
    return fail(Error::failed_precondition(fmt::format("{} {} is not a directory", what, path)));
  if (info.st_uid != ::geteuid())
    return fail(Error::failed_precondition(
        fmt::format("{} {} is owned by user {}, not by the user running zerospof ({})", what, path,
                    info.st_uid, ::geteuid()),
        "give a directory of your own: its owner could read or replace the keys written there"));
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return fail(Error::failed_precondition(
        fmt::format("{} {} is writable by other users (mode {:o})", what, path,
                    info.st_mode & 07777),
        fmt::format("chmod go-w {} (others could plant or swap the files written there)", path)));
  return {};
}

}  // namespace zerospof::util
