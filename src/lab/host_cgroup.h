// Each lab host's own cgroup, one in every cgroup hierarchy this machine has mounted, made below
// the cgroup of the process that boots the host: systemd-nspawn starts inside it, so the host's
// cgroup namespace is rooted there and the host's kubelet and containerd see and manage a tree of
// their own, as on a real server. Without it the five kubelets of a lab would share one tree and
// remove each other's pod cgroups, and the hosts' systemds would share one name=systemd tree.
// The directories made are recorded in the host's state directory, so that a later process (in
// another cgroup of its own) removes exactly them, depth first (the kubelet's kubepods/... below
// them included), once the host's processes are gone.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/error.h"

namespace zerospof::lab {

// One mounted hierarchy and where this process sits in it.
struct CgroupHierarchy {
  std::filesystem::path mount_point;  // e.g. /sys/fs/cgroup/memory
  std::string own_path;               // this process's cgroup, relative to the mount point
  bool cpuset = false;                // a v1 cpuset: a child has no CPUs until given its parent's
};

// Every cgroup hierarchy mounted in this mount namespace that this process belongs to, from
// `proc_cgroup` (/proc/self/cgroup) and `mountinfo` (/proc/self/mountinfo) as text.
std::vector<CgroupHierarchy> cgroup_hierarchies(const std::string& proc_cgroup,
                                                const std::string& mountinfo);

// Makes `host`'s cgroup (zerospof-lab/<host>) in every hierarchy, records them in `record`, and
// returns the cgroup.procs files a process writes itself into to enter them all.
util::Result<std::vector<std::string>> make_host_cgroups(const std::string& host,
                                                         const std::filesystem::path& record);

// Removes the cgroups listed in `record` and everything below them, waiting (bounded) for the
// processes of a host just killed to leave; fails naming a cgroup that still holds processes.
// Nothing recorded is nothing to do.
util::Status remove_host_cgroups(const std::filesystem::path& record);

// Lab cgroups (zerospof-lab/...) below this process's own cgroups that still exist.
std::vector<std::string> host_cgroup_leftovers();

}  // namespace zerospof::lab
