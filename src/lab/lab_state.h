// What a running lab is made of, kept in the state directory so that every later `zerospof lab`
// call (and every other verb, through lab.yaml) finds the same hosts: the subnet, the operator
// address, the VIP and each host's name, index and address. A small line-based text file
// ("lab.state") that round-trips exactly; plus where each file of the lab lives.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lab/addresses.h"
#include "lab/lab.h"
#include "util/error.h"

namespace zerospof::lab {

struct HostRecord {
  std::string name;
  int index = 0;  // position in the plan; names the bridge-side veth
  model::IpAddress address;
  bool operator==(const HostRecord&) const = default;
};

struct LabState {
  model::Cidr subnet;
  model::IpAddress operator_address;
  model::IpAddress vip;
  std::vector<HostRecord> hosts;
  const HostRecord* find(const std::string& name) const;
  bool operator==(const LabState&) const = default;
};

std::string to_text(const LabState& state);
util::Result<LabState> parse_state(const std::string& text);

// Every path of the lab, derived from LabPaths.
struct LabFiles {
  explicit LabFiles(LabPaths paths) : paths_(std::move(paths)) {}
  std::filesystem::path state_file() const { return paths_.state_dir / "lab.state"; }
  std::filesystem::path plan_file() const { return paths_.state_dir / "lab.yaml"; }
  std::filesystem::path known_hosts() const { return paths_.state_dir / "known_hosts"; }
  std::filesystem::path identity_file() const { return paths_.state_dir / "id_ed25519"; }
  std::filesystem::path host_dir(const std::string& host) const {
    return paths_.state_dir / "hosts" / host;
  }
  std::filesystem::path host_root(const std::string& host) const { return host_dir(host) / "root"; }
  std::filesystem::path nspawn_pid_file(const std::string& host) const {
    return host_dir(host) / "nspawn.pid";
  }
  // The keeper: the shell that runs systemd-nspawn and boots the host again after a reboot.
  std::filesystem::path keeper_pid_file(const std::string& host) const {
    return host_dir(host) / "keeper.pid";
  }
  std::filesystem::path killed_marker(const std::string& host) const {
    return host_dir(host) / "killed";
  }
  std::filesystem::path cgroups_record(const std::string& host) const {
    return host_dir(host) / "cgroups";
  }
  // Real directories for what containerd and the kubelet keep: overlayfs (containerd's
  // snapshots) refuses an upper directory that is itself on overlay, as the host's root is.
  std::filesystem::path container_storage(const std::string& host) const {
    return host_dir(host) / "containerd";
  }
  std::filesystem::path kubelet_storage(const std::string& host) const {
    return host_dir(host) / "kubelet";
  }
  std::filesystem::path console_log(const std::string& host) const {
    return host_dir(host) / "console.log";
  }
  const LabPaths& paths() const { return paths_; }

 private:
  LabPaths paths_;
};

// Reads lab.state; kFailedPrecondition ("no lab is up") when there is none.
util::Result<LabState> load_state(const LabFiles& files);
util::Status save_state(const LabFiles& files, const LabState& state);
util::Result<const HostRecord*> find_host(const LabState& state, const std::string& name);

}  // namespace zerospof::lab
