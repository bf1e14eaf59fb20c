#include "binaries/binary_cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "model/versions.h"
#include "util/digest.h"
#include "util/files.h"
#include "util/terminal.h"

namespace zerospof::binaries {
namespace {

// The manifest's fields go unquoted into root shell scripts (sha256sum -c, install paths), even
// under --dry-run: each must be a single inert word (the digest: util::is_sha256_hex).
bool is_file_name(const std::string& text) {
  return !text.empty() && text.size() <= 255 && text.front() != '.' && text.front() != '-' &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-' || c == '+';
         });
}

util::Error io_error(const std::string& what, const std::string& path) {
  return util::Error::failed_precondition(
      fmt::format("{} {}: {}", what, path, std::strerror(errno)),
      "check that the directory is writable by this user and its file system has room");
}

}  // namespace

util::Result<std::vector<Binary>> load_binary_cache(const std::string& cache_dir) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::string manifest, util::read_file(cache_dir + "/manifest"));
  std::vector<Binary> binaries;
  std::istringstream lines(manifest);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    Binary binary;
    std::string rest;
    if (!(fields >> binary.name >> binary.version >> binary.sha256) || fields >> rest ||
        !is_file_name(binary.name) || !is_file_name(binary.version) ||
        !util::is_sha256_hex(binary.sha256)) {
      return util::fail(util::Error::failed_precondition(
          fmt::format("{}/manifest: cannot read the line \"{}\": expected a file name, a "
                      "version and a lower-case hexadecimal sha256",
                      cache_dir, util::printable(line)),
          "fetch it again (zerospof fetch PLAN), or rebuild the lab's (lab/binaries/build.sh)"));
    }
    binary.local_path = cache_dir + "/" + binary.name;
    binaries.push_back(std::move(binary));
  }
  return binaries;
}

util::Result<std::vector<Binary>> load_binary_cache_if_present(const std::string& cache_dir) {
  if (!std::filesystem::exists(cache_dir + "/manifest")) return std::vector<Binary>{};
  return load_binary_cache(cache_dir);
}

util::Result<std::string> default_binary_cache(const model::Cluster& cluster) {
  const std::string& version = cluster.kubernetes.version;
  if (!model::is_kubernetes_version(version))
    return util::fail(util::Error::invalid_input(
        fmt::format("the plan's Kubernetes version \"{}\" is not v1.MINOR or v1.MINOR.PATCH",
                    util::printable(version)),
        {}, fmt::format("for example: version: {}", model::pinned::kKubernetesVersion)));
  return fmt::format("/var/cache/zerospof/binaries/{}", version);
}

util::Result<std::string> binary_cache_dir(const model::Cluster& cluster,
                                           const std::string& given) {
  if (!given.empty()) return given;
  return default_binary_cache(cluster);
}

util::Status check_binary_versions(const std::vector<Binary>& cache,
                                   const std::string& kubernetes_version) {
  for (const auto& binary : cache) {
    auto required = model::required_version(binary.name, kubernetes_version);
    if (!required || *required == binary.version) continue;
    return util::fail(util::Error::failed_precondition(
        fmt::format("the binary cache holds {} {}, but the cluster runs {} (the plan's Kubernetes "
                    "version is {})",
                    binary.name, binary.version, *required, kubernetes_version),
        fmt::format("point --binaries at a cache of those versions, or fill one: zerospof fetch "
                    "PLAN (the official releases); lab/binaries/build.sh builds Kubernetes {}, "
                    "etcd {} and kwok {} for the lab (versions.env)",
                    model::pinned::kKubernetesVersion, model::pinned::kEtcdVersion,
                    model::pinned::kKwokVersion)));
  }
  return {};
}

CacheWriter::CacheWriter(std::string cache_dir, std::string staging_dir)
    : cache_dir_(std::move(cache_dir)), staging_dir_(std::move(staging_dir)) {}

CacheWriter::CacheWriter(CacheWriter&& other) noexcept
    : cache_dir_(std::move(other.cache_dir_)),
      staging_dir_(std::exchange(other.staging_dir_, "")),
      added_(std::move(other.added_)) {}

CacheWriter::~CacheWriter() {
  if (staging_dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(staging_dir_, ignored);
}

util::Result<CacheWriter> CacheWriter::begin(const std::string& cache_dir) {
  std::filesystem::path cache(cache_dir);
  std::error_code error;
  std::filesystem::create_directories(cache.parent_path(), error);
  if (error)
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot create {}: {}", cache.parent_path().string(), error.message()),
        "check that the directory is writable by this user"));
  std::string pattern = cache.string() + ".staging-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return util::fail(io_error("cannot create", pattern));
  ::chmod(pattern.c_str(), 0755);
  return CacheWriter(cache.string(), pattern);
}

util::Status CacheWriter::add(const std::string& name, const std::string& version,
                              const std::string& content) {
  if (!is_file_name(name) || !is_file_name(version))
    return util::fail(util::Error::invalid_input(fmt::format(
        "\"{} {}\" cannot be a program of the binary cache: a name and a version must be "
        "file names",
        util::printable(name), util::printable(version))));
  std::string path = staging_dir_ + "/" + name;
  ZEROSPOF_RETURN_IF_ERROR(
      util::write_file_atomic(path, content, {.mode = 0755, .overwrite = true}));
  added_[name] = Binary{.name = name,
                        .version = version,
                        .sha256 = util::sha256_hex(content),
                        .local_path = cache_dir_ + "/" + name};
  return {};
}

// Two commits at once (two `zerospof fetch` of the same version) each read the manifest, add
// their lines and write it back: without a lock the second would drop the first's lines while
// its files stay. The lock is flock() on the directory that holds the caches, so it leaves no
// file behind and the kernel releases it however the process ends.
class ParentDirectoryLock {
 public:
  explicit ParentDirectoryLock(const std::string& cache_dir)
      : fd_(::open(std::filesystem::path(cache_dir).parent_path().c_str(),
                   O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}
  ~ParentDirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  ParentDirectoryLock(const ParentDirectoryLock&) = delete;
  ParentDirectoryLock& operator=(const ParentDirectoryLock&) = delete;
  bool acquire() {
    if (fd_ < 0) return false;
    while (::flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) return false;
    return true;
  }

 private:
  const int fd_;
};

util::Status CacheWriter::commit() {
  if (staging_dir_.empty())
    return util::fail(util::Error::internal("the binary cache writer was already committed"));
  ParentDirectoryLock lock(cache_dir_);
  if (!lock.acquire()) return util::fail(io_error("cannot lock the directory of", cache_dir_));
  ZEROSPOF_ASSIGN_OR_RETURN(std::vector<Binary> kept, load_binary_cache_if_present(cache_dir_));
  if (::mkdir(cache_dir_.c_str(), 0755) != 0 && errno != EEXIST)
    return util::fail(io_error("cannot create", cache_dir_));
  for (const auto& [name, binary] : added_)
    if (std::rename((staging_dir_ + "/" + name).c_str(), binary.local_path.c_str()) != 0)
      return util::fail(io_error("cannot move into place", binary.local_path));
  std::map<std::string, Binary> lines;
  for (const auto& binary : kept) lines[binary.name] = binary;
  for (const auto& [name, binary] : added_) lines[name] = binary;
  std::string manifest;
  for (const auto& [name, binary] : lines)
    manifest += fmt::format("{} {} {}\n", name, binary.version, binary.sha256);
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic(cache_dir_ + "/manifest", manifest,
                                                   {.mode = 0644, .overwrite = true}));
  std::error_code ignored;
  std::filesystem::remove_all(std::exchange(staging_dir_, ""), ignored);
  return {};
}

}  // namespace zerospof::binaries
