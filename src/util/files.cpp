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
  if (!options.overwrite && ::stat(path.c_str(), &existing) == 0)
    return fail(Error::failed_precondition(fmt::format("{} already exists", path),
                                           "remove it first or pass --force to replace it"));
  std::string temporary = path + ".zerospof-tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, options.mode);
  if (fd < 0) return fail(io_error("write", temporary));
  ::fchmod(fd, options.mode);  // the umask must not widen or narrow what was asked
  Status written = write_all(fd, content);
  if (written && ::fsync(fd) != 0) written = fail(io_error("sync", temporary));
  ::close(fd);
  if (written && ::rename(temporary.c_str(), path.c_str()) != 0)
    written = fail(io_error("rename onto", path));
  if (!written) ::unlink(temporary.c_str());
  return written;
}

}  // namespace zerospof::util
