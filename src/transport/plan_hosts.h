// How the plan's nodes are reached over SSH: one target per node, named as the plan names it
// (the names steps, drills and observations use), at the node's `host` (else its name) with its
// ssh settings. Shared by apply and drill so both reach the same hosts the same way.
#pragma once

#include <map>
#include <string>

#include "model/cluster.h"
#include "transport/ssh_transport.h"

namespace zerospof::transport {

std::map<std::string, SshTarget> ssh_targets(const model::Cluster& cluster);

}  // namespace zerospof::transport
