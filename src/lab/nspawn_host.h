// One lab host: an overlay root (the shared base image read-only below, the host's own writable
// layer above, so hosts never see each other's changes and the image is never modified), booted
// with `systemd-nspawn --boot` inside the host's network namespace with CAP_NET_ADMIN (VRRP,
// nftables). The container's init is real systemd, PID 1 of its own PID namespace; killing that
// PID with SIGKILL takes every process of the host with it, which is what a crash is.
// Every wait here is bounded; nothing is killed except the container's own processes.
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

// Boots the host (systemd-nspawn in the background, console to console.log) and returns the
// PID of its init once it exists; does not wait for its services.
util::Result<pid_t> boot_host(const LabFiles& files, const HostRecord& host);

// The PID (in this machine's PID namespace) of the host's systemd, if the host is running.
std::optional<pid_t> running_init(const LabFiles& files, const HostRecord& host);

// Waits until TCP port 22 of `address` accepts a connection, or `timeout` passes.
util::Status wait_for_ssh(const model::IpAddress& address, std::chrono::milliseconds timeout);

// SIGKILL of the container's init (a hard crash), then waits (bounded) for systemd-nspawn to go.
util::Status kill_container(const LabFiles& files, const HostRecord& host);

// Unmounts the host's overlay root if it is mounted.
util::Status unmount_host_root(const LabFiles& files, const HostRecord& host);

// Proportional set size (bytes) of every process in the PID namespace of `init`.
std::int64_t host_memory(pid_t init);

// Container processes and overlay mounts of this lab that still exist.
std::vector<std::string> host_leftovers(const LabFiles& files);

}  // namespace zerospof::lab
