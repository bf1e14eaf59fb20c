// One lab host: an overlay root (the shared base image read-only below, the host's own writable
// layer above, so hosts never see each other's changes and the image is never modified), booted
// with `systemd-nspawn --boot` inside the host's network namespace with CAP_NET_ADMIN (VRRP,
// nftables). The container's init is real systemd, PID 1 of its own PID namespace; killing that
// PID with SIGKILL takes every process of the host with it, which is what a crash is.
// Every wait here is bounded; nothing is killed except the container's own processes and its
// keeper.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lab/lab_state.h"
#include "util/error.h"

namespace zerospof::lab {

// What the host's root needs beyond the base image.
struct HostIdentity {
  std::string operator_public_key;  // installed as root's authorized key
  std::filesystem::path host_key;   // the host's private SSH key (public at host_key.pub)
  std::string hosts_file;           // /etc/hosts: every lab host by name
};

// Mounts the host's overlay root (idempotent) and writes its hostname, host key, authorized key
// and /etc/hosts into its own layer.
util::Status prepare_host_root(const LabFiles& files, const std::filesystem::path& base_image,
                               const HostRecord& host, const HostIdentity& identity);

// The host's keeper, what a real server's firmware is to it: a shell (named
// "zerospof-lab-keeper") that runs `payload` (systemd-nspawn) and runs it again when it exits
// with 133, nspawn's status when the host's systemd asked for a reboot, saying so on its output;
// any other end (a crash, a poweroff, `lab kill`) ends the keeper too, with the payload's status.
// The keeper stays in the cgroups of the process that started it; each payload enters `cgroups`
// (cgroup.procs files) before it starts, so that the host's cgroup namespace holds the host and
// nothing else. Each payload's PID is renamed into `pid_file`, so that a reader never sees half
// of it.
std::vector<std::string> keeper_command(const std::filesystem::path& pid_file,
                                        const std::vector<std::string>& cgroups,
                                        const std::vector<std::string>& payload);

// Boots the host (systemd-nspawn under its keeper in the background, console to console.log) and
// returns the PID of its init once it exists; does not wait for its services. A host between the
// two boots of a reboot is waited for, not booted twice.
util::Result<pid_t> boot_host(const LabFiles& files, const HostRecord& host);

// The PID (in this machine's PID namespace) of the host's systemd, if the host is running.
std::optional<pid_t> running_init(const LabFiles& files, const HostRecord& host);

// Waits until TCP port 22 of `address` accepts a connection, or `timeout` passes.
util::Status wait_for_ssh(const model::IpAddress& address, std::chrono::milliseconds timeout);

// SIGKILL of the host's keeper (nothing boots it again), then of the container's init (a hard
// crash); waits (bounded) for systemd-nspawn to go.
util::Status kill_container(const LabFiles& files, const HostRecord& host);

// Unmounts the host's overlay root if it is mounted.
util::Status unmount_host_root(const LabFiles& files, const HostRecord& host);

// Proportional set size (bytes) of every process in the PID namespace of `init`.
std::int64_t host_memory(pid_t init);

// Container processes and overlay mounts of this lab that still exist.
std::vector<std::string> host_leftovers(const LabFiles& files);

}  // namespace zerospof::lab
