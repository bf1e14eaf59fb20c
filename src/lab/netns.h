// The lab network: a bridge in its own network namespace, one namespace per host joined to the
// bridge by a veth pair (the host side is the host's eth0), and one veth from this machine's
// namespace so that zerospof reaches the hosts as an operator's machine would. Hosts get only
// an on-link route for the lab subnet: no default route, so nothing outside the lab is
// reachable. Every call is idempotent (safe to repeat after a partial failure) and runs `ip`
// with bounded time. All names start with "zerospof-lab" so that leftovers are recognisable.
#pragma once

#include <string>
#include <vector>

#include "lab/lab_state.h"
#include "util/error.h"

namespace zerospof::lab {

std::string bridge_namespace();                       // "zerospof-lab-bridge"
std::string host_namespace(const std::string& host);  // "zerospof-lab-<host>"
std::string host_port(int index);                     // bridge side of host i's veth: "host<i>"
std::string operator_link();                          // this machine's veth: "zerospof-lab"

util::Status create_bridge(const LabState& state);
util::Status connect_host(const LabState& state, const HostRecord& host);
// Brings the bridge side of the host's veth up or down. Down: the host stops answering (frames
// to and from it are dropped at the bridge), as a crashed server does, rather than refusing.
util::Status set_host_link(const HostRecord& host, bool up);
// Deletes every lab namespace (which deletes the veths inside them) and the operator veth.
util::Status destroy_network();

// Lab network namespaces present on this machine, and the operator veth if it exists.
std::vector<std::string> network_leftovers();

}  // namespace zerospof::lab
