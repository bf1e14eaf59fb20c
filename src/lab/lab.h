// The lab: one real Debian host per plan node on this machine, to rehearse apply, status and
// drill before touching real servers. Each host is a `systemd-nspawn --boot` container (real
// systemd, real sshd, its own overlay filesystem) in its own network namespace, joined by veth
// pairs to a bridge in a separate namespace; this machine reaches them through its own veth on
// that bridge, as an operator's laptop on the servers' network would.
// Guarantees: every address used is inside 198.18.0.0/15 (refused otherwise); no host has a
// route out of the lab; `up` is idempotent; `down` leaves no namespace, container, mount, veth
// or process behind; every wait is bounded. Needs root and Linux; says so when it has neither.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "util/error.h"

namespace zerospof::lab {

struct LabPaths {
  std::filesystem::path state_dir = "/var/lib/zerospof/lab";    // keys, lab.yaml, host layers
  std::filesystem::path cache_dir = "/var/cache/zerospof/lab";  // the debootstrap base image
};

// Progress for a person: one line per step of long work.
using Progress = std::function<void(const std::string& line)>;

struct UpOptions {
  LabPaths paths;
  std::optional<int> node_count;  // the first N nodes of the plan; all of them when unset
  std::string mirror;             // Debian mirror for debootstrap; empty: debootstrap's default
  Progress progress = [](const std::string&) {};
};

enum class HostState {
  kRunning,  // its container's systemd is alive
  kKilled,   // stopped by `lab kill` (a simulated crash)
  kCrashed,  // not running, and not by `lab kill`: something else killed it
};
const char* to_string(HostState state);

struct HostStatus {
  std::string name;
  std::string address;
  HostState state = HostState::kCrashed;
  pid_t init_pid = 0;             // the container's PID 1, as seen from this machine
  std::int64_t memory_bytes = 0;  // proportional set size of the host's processes
};

struct UpSummary {
  std::vector<HostStatus> hosts;
  std::filesystem::path plan_file;  // lab.yaml: the plan with lab addresses and SSH settings
  std::filesystem::path known_hosts;
  std::filesystem::path identity_file;
};

// Fails with a clear message unless the caller is root.
util::Status require_root();

util::Result<UpSummary> up(const model::Cluster& plan, const UpOptions& options);
util::Result<std::vector<HostStatus>> status(const LabPaths& paths);
util::Status kill_host(const LabPaths& paths, const std::string& host);
util::Status start_host(const LabPaths& paths, const std::string& host, const Progress& progress);
// `groups` as "A,B/C,D,E": traffic between groups dropped both ways, within a group untouched.
util::Status partition(const LabPaths& paths, const std::string& groups);
util::Status heal(const LabPaths& paths);
util::Status down(const LabPaths& paths, const Progress& progress);

// The ssh command line that reaches `host` as root with the lab key, checking its host key
// against the lab known_hosts (StrictHostKeyChecking=yes); `command` is appended when given.
util::Result<std::vector<std::string>> ssh_command(const LabPaths& paths, const std::string& host,
                                                   const std::vector<std::string>& command);

// What of a lab exists on this machine: network namespaces, the operator veth, overlay mounts
// under `paths.state_dir`, container processes. Empty after `down`.
std::vector<std::string> leftovers(const LabPaths& paths);

}  // namespace zerospof::lab
