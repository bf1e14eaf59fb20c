// Preflight: looks at every host before apply touches any, and lists every problem at once,
// each with the host and what to do: unreachable hosts, duplicate hostnames, addresses or
// machine IDs (cloned VMs), a planned address the host does not have, clock skew against this
// machine, swap turned on, too little free disk. Reads only; hosts are asked in parallel, each
// with one bounded command.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "transport/transport.h"

namespace zerospof::apply {

struct HostFacts {
  std::string node;  // plan node name
  std::string hostname;
  std::string machine_id;
  std::vector<std::string> addresses;  // "198.18.0.11/24"
  double clock_offset_seconds = 0;     // host clock minus this machine's, round trip halved
  std::int64_t swap_kib = 0;
  std::int64_t free_disk_kib = 0;  // on /
};

struct PreflightOptions {
  double max_clock_skew_seconds = 2.0;  // etcd and certificates tolerate little more
  std::int64_t min_free_disk_kib = 2 * 1024 * 1024;
  bool allow_swap = false;  // the lab's kwok nodes run no kubelet, which refuses swap
  // Lab hosts boot from one image and today share its machine ID (a lab defect, see
  // docs/apply.md); nothing of a kwok node depends on it.
  bool allow_shared_machine_id = false;
};

// Parses the output of facts_script(); exposed for tests.
util::Result<HostFacts> parse_facts(const std::string& node, const std::string& output,
                                    double local_midpoint_seconds);
const std::string& facts_script();

// Every problem of `facts` against the plan, one line each ("cloudserver2: swap is on (...)").
std::vector<std::string> preflight_problems(const model::Cluster& cluster,
                                            const std::vector<HostFacts>& facts,
                                            const PreflightOptions& options);

// Gathers facts from every node and fails with all problems listed (FailedPrecondition), or an
// unreachable host (Unavailable).
util::Status preflight(const model::Cluster& cluster, transport::Transport& transport,
                       const PreflightOptions& options);

}  // namespace zerospof::apply
