#include "apply/journal.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace zerospof::apply {
namespace {

util::Error journal_error(const std::string& what, const std::string& path) {
  return util::Error::failed_precondition(
      fmt::format("cannot {} the journal {}: {}", what, path, std::strerror(errno)));
}

}  // namespace

util::Result<std::unique_ptr<Journal>> Journal::open(const std::string& path) {
  std::error_code error;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, error)) {
    std::filesystem::create_directories(parent, error);
    std::filesystem::permissions(parent, std::filesystem::perms::owner_all, error);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return util::fail(journal_error("open", path));
  return std::unique_ptr<Journal>(new Journal(path, fd));
}

Journal::~Journal() { ::close(fd_); }

util::Status Journal::record(const std::string& event) {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string line = fmt::format("{:%Y-%m-%dT%H:%M:%SZ} {}\n", now, event);
  std::lock_guard lock(mutex_);
  // O_APPEND makes each write land at the end whole; a short write is retried for the rest.
  std::size_t written = 0;
  while (written < line.size()) {
    ssize_t put = ::write(fd_, line.data() + written, line.size() - written);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return util::fail(journal_error("write", path_));
    written += static_cast<std::size_t>(put);
  }
  if (::fsync(fd_) != 0) return util::fail(journal_error("sync", path_));
  return {};
}

}  // namespace zerospof::apply
