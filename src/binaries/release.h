// Where the official releases of the programs apply installs on real hosts are published, at the
// versions zerospof pins (the plan's Kubernetes version; versions.env for etcd, containerd and
// runc), and where each project publishes the sha256 of each file. Plain data: fetch.h downloads
// and verifies it.
//
// Guarantees: every URL is built from a version checked to be vMAJOR.MINOR.PATCH and an
// architecture from a closed list, so nothing from a plan lands in a URL unchecked.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "util/error.h"

namespace zerospof::binaries {

struct ReleaseArtifact {
  std::string project;  // "Kubernetes", "etcd", "containerd", "runc"
  std::string version;  // the version each of its programs is recorded with in the cache
  std::string url;      // the file itself
  // The sha256 the project publishes for it: a file holding one digest, or (digest_entry not
  // empty) a list of "DIGEST  NAME" lines where the line of digest_entry is the one.
  std::string digest_url;
  std::string digest_entry;
  bool tar_gz = false;  // an archive whose members are the programs
  // The programs it gives: (member path in the archive, name in the cache); for a file that is
  // itself the program, the member is "".
  std::vector<std::pair<std::string, std::string>> programs;
};

// Architectures the projects publish Linux binaries for, as they name them.
inline constexpr const char* kArchitectures[] = {"amd64", "arm64"};

// Every artifact a real-host cluster of `kubernetes_version` needs (vMAJOR.MINOR.PATCH: a
// release, not a minor line), for `architecture` (one of kArchitectures).
util::Result<std::vector<ReleaseArtifact>> release_artifacts(const std::string& kubernetes_version,
                                                             const std::string& architecture);

// The architecture of this machine as the projects name it ("" when none of kArchitectures).
std::string this_architecture();

}  // namespace zerospof::binaries
