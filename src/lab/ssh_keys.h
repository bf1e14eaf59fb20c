// SSH keys of the lab, made with ssh-keygen: the operator key zerospof logs in with (private
// part 0600 in the state directory, never printed) and one host key per lab host, generated
// here so that its public half can be pinned in the lab known_hosts before the host first
// boots. Existing keys are kept, so `lab up` twice does not change any identity.
#pragma once

#include <filesystem>
#include <string>

#include "lab/lab_state.h"
#include "util/error.h"

namespace zerospof::lab {

// Returns the public key line ("ssh-ed25519 AAAA... comment") of the key at `private_key`,
// generating the pair first when it does not exist.
util::Result<std::string> ensure_key(const std::filesystem::path& private_key,
                                     const std::string& comment);

std::filesystem::path host_key_path(const LabFiles& files, const std::string& host);

}  // namespace zerospof::lab
