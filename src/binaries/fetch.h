// Fills the binary cache from the official releases (release.h): each artifact and the sha256
// its project publishes are downloaded, the artifact is refused unless it hashes to that digest,
// and the programs are taken from it (an archive's members) into the cache (binary_cache.h).
// The network is behind Downloader, so the whole path is tested against a loopback server
// (tests/binaries/fetch_test.cpp); CurlDownloader is the real one.
//
// Guarantees: nothing is installed unless every artifact was downloaded whole and verified (a
// wrong digest, a truncated download, an HTTP error or a missing archive member leaves the cache
// as it was); a program already in the cache at its pinned version with its recorded digest is
// not downloaded again; every download is bounded in time and size. The digests are the
// projects' published sha256 (over HTTPS from the same release); upstream signatures (cosign for
// Kubernetes, GPG for runc) are not verified.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "binaries/binary_cache.h"
#include "binaries/release.h"
#include "util/error.h"

namespace zerospof::binaries {

class Downloader {
 public:
  virtual ~Downloader() = default;
  // The whole body of `url`, or an error naming it (an HTTP error status, a connection that ended
  // before the announced length, a timeout, a body over the size bound).
  virtual util::Result<std::string> get(const std::string& url) = 0;
};

class CurlDownloader : public Downloader {
 public:
  struct Limits {
    std::chrono::seconds timeout{900};             // of one download, whole
    std::size_t max_bytes = std::size_t{1} << 30;  // the largest release binary is ~100 MB
    bool allow_plain_http = false;                 // a mirror the user named with http://
  };
  explicit CurlDownloader(Limits limits);
  util::Result<std::string> get(const std::string& url) override;

 private:
  Limits limits_;
};

struct FetchOptions {
  // "": the official URLs. Otherwise a mirror laid out as host/path below this prefix:
  // https://dl.k8s.io/release/... is fetched as MIRROR/dl.k8s.io/release/...
  std::string mirror;
  std::function<void(const std::string&)> progress = [](const std::string&) {};
};

// `url` as fetched through `mirror` ("" leaves it as it is).
std::string mirrored(const std::string& url, const std::string& mirror);

// The digest for `entry` in the text of a published digest file: its first word when `entry`
// is "", else the digest of the line naming `entry` ("DIGEST  NAME" or "DIGEST *NAME").
util::Result<std::string> published_digest(const std::string& text, const std::string& entry,
                                           const std::string& url);

// Downloads, verifies and adds every program of `artifacts` to the cache at `cache_dir`; returns
// the cache's programs afterwards.
util::Result<std::vector<Binary>> fetch_release(const std::vector<ReleaseArtifact>& artifacts,
                                                const std::string& cache_dir,
                                                Downloader& downloader,
                                                const FetchOptions& options = {});

}  // namespace zerospof::binaries
