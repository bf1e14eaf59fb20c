// The binary cache: the upstream programs apply installs on the hosts, pinned. A directory with
// one executable per program and a `manifest`, one line per program: name, version, sha256 (what
// lab/binaries/build.sh writes for the lab, and what `zerospof fetch` writes from the official
// releases for real hosts). Apply installs a program only if its bytes hash to the manifest's
// sha256, checked again on the host.
//
// Guarantees: a manifest field that is not one inert word (a file name, a version, 64 lower-case
// hex digits) is refused, since each lands in root shell scripts; a CacheWriter installs
// nothing until commit(), and commit() renames verified files into place before it rewrites the
// manifest, so a reader never sees a manifest line whose file is missing or partial.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "util/error.h"

namespace zerospof::binaries {

// One pinned program of the cache (a line of its manifest).
struct Binary {
  std::string name;
  std::string version;
  std::string sha256;
  std::string local_path;
};

// Reads `<cache_dir>/manifest`; every listed binary must exist beside it.
util::Result<std::vector<Binary>> load_binary_cache(const std::string& cache_dir);
// The same, or no programs while the cache has no manifest yet (a cache being filled first).
util::Result<std::vector<Binary>> load_binary_cache_if_present(const std::string& cache_dir);

// The cache apply reads and fetch fills when none is given: /var/cache/zerospof/binaries/<the
// plan's Kubernetes version>. Fails on a version that is not well-formed
// (model::is_kubernetes_version) instead of making it a path.
util::Result<std::string> default_binary_cache(const model::Cluster& cluster);
// `given` (a --binaries flag) when not empty, else default_binary_cache().
util::Result<std::string> binary_cache_dir(const model::Cluster& cluster, const std::string& given);

// Refuses a cache that holds a pinned program at another version than the cluster runs (the
// plan's Kubernetes version, versions.env for etcd, kwok, containerd and runc): apply would start
// binaries that the rendered flags and the plan do not describe.
util::Status check_binary_versions(const std::vector<Binary>& cache,
                                   const std::string& kubernetes_version);

// Adds programs to a cache: each is written into a staging directory beside the cache as it
// comes; commit() moves them in and rewrites the manifest (keeping the lines of programs not
// added). Destroyed without commit(): the staging directory is removed, the cache untouched.
class CacheWriter {
 public:
  static util::Result<CacheWriter> begin(const std::string& cache_dir);
  CacheWriter(CacheWriter&& other) noexcept;
  CacheWriter& operator=(CacheWriter&&) = delete;
  ~CacheWriter();

  // `content` is the program itself (already verified against its release's digest).
  util::Status add(const std::string& name, const std::string& version, const std::string& content);
  util::Status commit();
  // A directory for the caller's scratch files (an archive being unpacked), removed with the
  // staging directory.
  std::string scratch_dir() const { return staging_dir_ + "/.scratch"; }

 private:
  CacheWriter(std::string cache_dir, std::string staging_dir);
  std::string cache_dir_;
  std::string staging_dir_;  // "" once committed or moved from
  std::map<std::string, Binary> added_;
};

}  // namespace zerospof::binaries
