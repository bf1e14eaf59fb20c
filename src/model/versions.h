// The versions of upstream programs: which strings are well-formed, and which version of each
// program zerospof runs. A version that passes is_kubernetes_version() is safe as one directory
// name and one unquoted shell word (`v1.`, digits, at most one more `.` and digits), so a plan's
// version is checked with it wherever it lands, not only where it is read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/pinned_versions.h"

namespace zerospof::model {

// "v1.MINOR" or "v1.MINOR.PATCH", with 1 to 3 digits in each number.
bool is_kubernetes_version(std::string_view text);

// The version the binary cache must hold of `program` for a cluster of `kubernetes_version`:
// the plan's version for the Kubernetes programs, the pin (versions.env) for etcd, etcdctl, kwok,
// containerd and runc, nullopt for a program zerospof does not pin.
std::optional<std::string> required_version(std::string_view program,
                                            std::string_view kubernetes_version);

}  // namespace zerospof::model
