// Preflight: looks at every host before apply touches any, and lists every problem at once,
// each with the host and what to do: unreachable hosts, duplicate hostnames, addresses or
// machine IDs (cloned VMs), a planned address the host does not have, clock skew against this
// machine, swap turned on, too little free disk, what a host that runs containers lacks (kernel
// modules the container runtime needs that it cannot load, the unified cgroup hierarchy, the
// iptables programs kube-proxy runs), and an etcd data disk whose synchronous writes are too slow
// for etcd (its heartbeats and elections time out on such a disk). Reads only, but for 64 small
// synchronous writes to a temporary file beside etcd's data; hosts are asked in parallel, each
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
  // Mean time of one 4 KiB synchronous write where etcd keeps its data; -1 when not measured
  // (the host runs no etcd member).
  std::int64_t fsync_microseconds = -1;
  std::vector<std::string> missing_modules;  // needed kernel modules neither loaded nor loadable
  std::string cgroup_filesystem;  // of /sys/fs/cgroup: "cgroup2fs" is the unified hierarchy
  std::vector<std::string> missing_commands;  // programs kube-proxy needs, not on PATH
};

struct PreflightOptions {
  double max_clock_skew_seconds = 2.0;  // etcd and certificates tolerate little more
  std::int64_t min_free_disk_kib = 2 * 1024 * 1024;
  bool allow_swap = false;  // the lab's kwok nodes run no kubelet, which refuses swap
  // etcd's own guidance: WAL fdatasync under 10 ms (at the 99th percentile; this measures the
  // mean of a short burst, so a disk above it is certainly too slow).
  std::int64_t max_fsync_microseconds = 10'000;
  // The host runs containers: containerd's overlay snapshotter and bridged pod traffic need
  // their kernel modules, the kubelet (1.35 on) the unified cgroup hierarchy (cgroup v2), and
  // kube-proxy iptables-restore. The lab's kwok nodes run no containers and need none of it.
  bool container_host = true;
  // A container host of the lab (zerospof lab with real pods): a container of a machine that may
  // run cgroup v1, which the lab's kubelets are rendered to accept (render/node_agent.cpp).
  bool allow_cgroup_v1 = false;
};

// Parses the output of facts_script(); exposed for tests.
util::Result<HostFacts> parse_facts(const std::string& node, const std::string& output,
                                    double local_midpoint_seconds);
// The facts script of a host; `etcd_member` adds the fsync measurement.
std::string facts_script(bool etcd_member);

// Every problem of `facts` against the plan, one line each ("cloudserver2: swap is on (...)").
std::vector<std::string> preflight_problems(const model::Cluster& cluster,
                                            const std::vector<HostFacts>& facts,
                                            const PreflightOptions& options);

// Gathers facts from every node and fails with all problems listed (FailedPrecondition), or an
// unreachable host (Unavailable).
util::Status preflight(const model::Cluster& cluster, transport::Transport& transport,
                       const PreflightOptions& options);

}  // namespace zerospof::apply
