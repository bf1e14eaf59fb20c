// The Debian bookworm root every lab host starts from: made once with debootstrap (systemd,
// dbus, openssh-server, iproute2, nftables, haproxy, keepalived, ca-certificates...) into the
// cache directory, then prepared for the lab (no host keys of its own, services that would only
// burn CPU masked, haproxy and keepalived installed but left for `apply` to configure). Built
// in a temporary directory and renamed into place, so a crash never leaves a half image that
// looks complete. Hosts use it read-only, as the lower layer of their overlay.
#pragma once

#include <filesystem>
#include <string>

#include "lab/lab.h"
#include "util/error.h"

namespace zerospof::lab {

// The Debian packages installed in the base image beyond debootstrap's minbase.
const std::vector<std::string>& base_packages();

// Returns the base image directory, building it first when the cache has none.
util::Result<std::filesystem::path> ensure_base_image(const std::filesystem::path& cache_dir,
                                                      const std::string& mirror,
                                                      const Progress& progress);

}  // namespace zerospof::lab
