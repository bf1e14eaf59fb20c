#include "lab/host_cgroup.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "util/files.h"
#include "util/strings.h"

namespace zerospof::lab {
namespace {

namespace fs = std::filesystem;
constexpr const char* kLabCgroup = "zerospof-lab";

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// A mounted cgroup filesystem: where, which part of its hierarchy it shows, and its controllers
// (v1: the super options naming them, "name=systemd" included; v2: none).
struct CgroupMount {
  fs::path mount_point;
  std::string root;
  bool version2 = false;
  std::vector<std::string> options;
};

std::vector<CgroupMount> cgroup_mounts(const std::string& mountinfo) {
  std::vector<CgroupMount> mounts;
  std::istringstream lines(mountinfo);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields = util::split(line, ' ');
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
    const std::string& type = *(dash + 1);
    if (type != "cgroup" && type != "cgroup2") continue;
    mounts.push_back({fields[4], fields[3], type == "cgroup2", util::split(*(dash + 3), ',')});
  }
  return mounts;
}

// `own` relative to the part `root` of the hierarchy that a mount shows.
std::string below_root(const std::string& own, const std::string& root) {
  if (root == "/" || own.rfind(root, 0) != 0) return own;
  std::string rest = own.substr(root.size());
  return rest.empty() ? "/" : rest;
}

util::Status write_value(const fs::path& file, const std::string& value) {
  std::ofstream out(file);
  out << value;
  out.close();
  if (out) return {};
  return util::fail(util::Error::failed_precondition(
      fmt::format("cannot write {} into {}: {}", value, file.string(), std::strerror(errno))));
}

// A v1 cpuset child starts with no CPUs and no memory nodes, and no process can enter it.
util::Status inherit_cpuset(const fs::path& parent, const fs::path& child) {
  for (const char* setting : {"cpuset.cpus", "cpuset.mems"}) {
    std::string value = util::read_file(child / setting).value_or("");
    if (value.find_first_not_of(" \n") != std::string::npos) continue;
    ZEROSPOF_RETURN_IF_ERROR(
        write_value(child / setting, util::read_file(parent / setting).value_or("")));
  }
  return {};
}

// With real-time group scheduling (a v1 cpu hierarchy with cpu.rt_runtime_us), a new cgroup gets
// no real-time time at all, so nothing in a lab host could run under SCHED_RR, which a real
// server allows: keepalived's VRRP process asks for it, to keep its adverts on time on a busy host
// (render/keepalived.cpp). Each host gets 10 ms of every second, the lab 200 ms in all (enough for
// 20 hosts; a cap, so a runaway real-time process in the lab cannot take the machine). Best
// effort: where this process's own cgroup has less to give, the write is refused and the hosts
// keep none, as before (keepalived then runs without and says so in its journal).
void grant_realtime_time(const fs::path& lab, const fs::path& host) {
  const char* kRuntime = "cpu.rt_runtime_us";
  if (!fs::exists(lab / kRuntime)) return;
  if (std::strtol(util::read_file(lab / kRuntime).value_or("0").c_str(), nullptr, 10) < 200000)
    (void)write_value(lab / kRuntime, "200000");
  (void)write_value(host / kRuntime, "10000");
}

// Removes `directory` and the cgroups below it, deepest first; false if one is still busy.
bool remove_tree(const fs::path& directory) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.is_directory(error) && !entry.is_symlink(error)) remove_tree(entry.path());
  }
  return rmdir(directory.c_str()) == 0 || errno == ENOENT;
}

std::vector<fs::path> lab_cgroups_of(const std::vector<CgroupHierarchy>& hierarchies) {
  std::vector<fs::path> found;
  for (const auto& hierarchy : hierarchies) {
    fs::path lab = hierarchy.mount_point / hierarchy.own_path.substr(1) / kLabCgroup;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(lab, error)) {
      if (entry.is_directory(error)) found.push_back(entry.path());
    }
  }
  return found;
}

// This process's own hierarchies.
std::vector<CgroupHierarchy> own_hierarchies() {
  return cgroup_hierarchies(util::read_file("/proc/self/cgroup").value_or(""),
                            util::read_file("/proc/self/mountinfo").value_or(""));
}

}  // namespace

std::vector<CgroupHierarchy> cgroup_hierarchies(const std::string& proc_cgroup,
                                                const std::string& mountinfo) {
  std::vector<CgroupMount> mounts = cgroup_mounts(mountinfo);
  std::vector<CgroupHierarchy> found;
  std::istringstream lines(proc_cgroup);
  std::string line;
  while (std::getline(lines, line)) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::vector<std::string> controllers =
        util::split(line.substr(first + 1, second - first - 1), ',');
    std::string own = line.substr(second + 1);
    for (const auto& mount : mounts) {
      bool matches =
          controllers.empty()
              ? mount.version2
              : !mount.version2 && std::all_of(controllers.begin(), controllers.end(),
                                               [&](const std::string& controller) {
                                                 return contains(mount.options, controller);
                                               });
      if (!matches) continue;
      found.push_back(
          {mount.mount_point, below_root(own, mount.root), contains(controllers, "cpuset")});
      break;  // one mount per hierarchy is enough
    }
  }
  return found;
}

util::Result<std::vector<std::string>> make_host_cgroups(const std::string& host,
                                                         const fs::path& record) {
  std::vector<CgroupHierarchy> hierarchies = own_hierarchies();
  std::vector<std::string> enter;
  std::string recorded;
  for (const auto& hierarchy : hierarchies) {
    fs::path own = hierarchy.mount_point / hierarchy.own_path.substr(1);
    fs::path lab = own / kLabCgroup;
    fs::path mine = lab / host;
    std::error_code error;
    fs::create_directories(mine, error);
    if (error) {
      return util::fail(util::Error::failed_precondition(
          fmt::format("cannot make the cgroup of lab host {} ({}): {}", host, mine.string(),
                      error.message()),
          "the lab needs root and writable cgroup hierarchies"));
    }
    if (hierarchy.cpuset) {
      ZEROSPOF_RETURN_IF_ERROR(inherit_cpuset(own, lab));
      ZEROSPOF_RETURN_IF_ERROR(inherit_cpuset(lab, mine));
    }
    grant_realtime_time(lab, mine);
    enter.push_back((mine / "cgroup.procs").string());
    recorded += mine.string() + "\n";
  }
  ZEROSPOF_RETURN_IF_ERROR(
      util::write_file_atomic(record.string(), recorded, {.mode = 0644, .overwrite = true}));
  return enter;
}

util::Status remove_host_cgroups(const fs::path& record) {
  std::vector<std::string> busy;
  for (const auto& line : util::split(util::read_file(record).value_or(""), '\n')) {
    if (line.find("/" + std::string(kLabCgroup) + "/") == std::string::npos) continue;
    fs::path cgroup(line);
    // The processes of a host just killed take a moment to be reaped.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!remove_tree(cgroup) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::error_code error;
    if (fs::exists(cgroup, error)) {
      busy.push_back(cgroup.string());
      continue;
    }
    rmdir(cgroup.parent_path().c_str());  // the lab's own, once no host is left in it
  }
  if (!busy.empty()) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("lab cgroups still hold processes: {}", fmt::join(busy, ", ")),
        "their hosts did not stop; `zerospof lab status` shows which is still running"));
  }
  std::error_code error;
  fs::remove(record, error);
  return {};
}

std::vector<std::string> host_cgroup_leftovers() {
  std::vector<std::string> found;
  for (const auto& cgroup : lab_cgroups_of(own_hierarchies())) {
    found.push_back("cgroup " + cgroup.string());
  }
  return found;
}

}  // namespace zerospof::lab
