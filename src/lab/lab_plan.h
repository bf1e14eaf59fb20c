// What the lab tells the rest of zerospof: lab.yaml (the user's plan with every node's host and
// address replaced by its lab address, SSH as root with the lab key, and the VIP from the lab
// subnet), the known_hosts file that pins each host's key, and /etc/hosts for the hosts.
// Pure functions of their inputs.
#pragma once

#include <map>
#include <string>

#include "lab/lab_state.h"
#include "model/cluster.h"
#include "util/error.h"

namespace zerospof::lab {

// Lays out the lab for the first `node_count` nodes of `plan` (all when unset); refuses plans
// whose node names cannot name a lab host.
util::Result<LabState> plan_lab(const model::Cluster& plan, std::optional<int> node_count,
                                const model::Cidr& subnet);

// `plan` restricted to the lab's hosts and pointed at them.
model::Cluster lab_cluster(const model::Cluster& plan, const LabState& state,
                           const std::string& identity_file);

// One "name,address key" line per host; `public_keys` maps host name to "ssh-ed25519 AAAA...".
std::string known_hosts_text(const LabState& state,
                             const std::map<std::string, std::string>& public_keys);

std::string hosts_file_text(const LabState& state);

}  // namespace zerospof::lab
