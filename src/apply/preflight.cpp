#include "apply/preflight.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <future>
#include <map>
#include <sstream>

#include "render/layout.h"

namespace zerospof::apply {
namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Names the nodes sharing a value: "cloudserver1 and cloudserver2 share the machine ID ...".
void find_duplicates(const std::vector<HostFacts>& facts,
                     const std::function<std::vector<std::string>(const HostFacts&)>& values,
                     const std::string& what, const std::string& hint,
                     std::vector<std::string>& problems) {
  std::map<std::string, std::vector<std::string>> owners;
  for (const auto& host : facts) {
    for (const auto& value : values(host)) owners[value].push_back(host.node);
  }
  for (const auto& [value, nodes] : owners) {
    if (nodes.size() < 2) continue;
    std::string list = nodes[0];
    for (std::size_t i = 1; i < nodes.size(); ++i) list += " and " + nodes[i];
    problems.push_back(fmt::format("{} have the same {} {}: {}", list, what, value, hint));
  }
}

void check_host(const model::Cluster& cluster, const HostFacts& host,
                const PreflightOptions& options, std::vector<std::string>& problems) {
  const model::Node* node = cluster.find_node(host.node);
  if (node != nullptr && node->address) {
    std::string wanted = node->address->base.to_string();
    bool found = false;
    for (const auto& address : host.addresses) found = found || address.rfind(wanted + "/", 0) == 0;
    if (!found) {
      problems.push_back(
          fmt::format("{}: the planned address {} is not on any interface of the "
                      "host; fix spec.nodes[].address or the host's network",
                      host.node, wanted));
    }
  }
  if (std::abs(host.clock_offset_seconds) > options.max_clock_skew_seconds) {
    problems.push_back(
        fmt::format("{}: its clock is {:+.1f} s off this machine's (at most {:.0f} "
                    "s allowed); run NTP (systemd-timesyncd or chrony) on it",
                    host.node, host.clock_offset_seconds, options.max_clock_skew_seconds));
  }
  if (host.swap_kib > 0 && !options.allow_swap) {
    problems.push_back(
        fmt::format("{}: swap is on ({} MiB); turn it off (swapoff -a) and remove it "
                    "from /etc/fstab, the kubelet refuses to run with swap",
                    host.node, host.swap_kib / 1024));
  }
  if (host.free_disk_kib < options.min_free_disk_kib) {
    problems.push_back(
        fmt::format("{}: only {} MiB free on / ({} MiB needed for binaries and etcd)", host.node,
                    host.free_disk_kib / 1024, options.min_free_disk_kib / 1024));
  }
  if (host.fsync_microseconds > options.max_fsync_microseconds) {
    problems.push_back(fmt::format(
        "{}: a synchronous write to etcd's disk ({}) takes {:.1f} ms on average, etcd needs "
        "under {:.0f} ms or its members miss heartbeats and re-elect; put {} on an SSD",
        host.node, render::layout::kEtcdDataDir,
        static_cast<double>(host.fsync_microseconds) / 1000,
        static_cast<double>(options.max_fsync_microseconds) / 1000, render::layout::kEtcdDataDir));
  }
  if (!options.container_host) return;
  if (!host.missing_modules.empty()) {
    problems.push_back(fmt::format(
        "{}: the kernel modules {} are neither loaded nor installed, and the container "
        "runtime needs them; install the host's linux-image modules package or load them",
        host.node, fmt::join(host.missing_modules, ", ")));
  }
  if (host.cgroup_filesystem != "cgroup2fs" && !options.allow_cgroup_v1) {
    problems.push_back(fmt::format(
        "{}: /sys/fs/cgroup is {}, not the unified hierarchy (cgroup v2) that the kubelet "
        "requires; boot with systemd.unified_cgroup_hierarchy=1 (Debian 11 and later do by "
        "default)",
        host.node, host.cgroup_filesystem.empty() ? "missing" : host.cgroup_filesystem));
  }
  if (!host.missing_commands.empty()) {
    problems.push_back(fmt::format(
        "{}: {} not found on PATH, and kube-proxy runs them to program Services; install the "
        "iptables package (apt-get install iptables)",
        host.node, fmt::join(host.missing_commands, ", ")));
  }
}

// The space-separated words of one line of the facts script's answer.
std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

}  // namespace

std::string facts_script(bool etcd_member) {
  // Lines: hostname, machine ID, clock, swap, free disk, fsync (or -1), missing modules, the
  // cgroup filesystem, missing commands, then one address per line.
  std::string fsync = "echo -1; ";
  if (etcd_member)
    fsync = fmt::format(
        "d={0}; [ -d $d ] || d=$(dirname {0}); f=$d/.zerospof-fsync-probe; "
        "t0=$(date +%s%N); dd if=/dev/zero of=$f bs=4k count=64 oflag=dsync 2>/dev/null; "
        "t1=$(date +%s%N); rm -f $f; echo $(( (t1 - t0) / 64000 )); ",
        render::layout::kEtcdDataDir);
  return "hostname; cat /etc/machine-id 2>/dev/null || echo; date +%s.%N; "
         "awk '/^SwapTotal:/ {print $2}' /proc/meminfo; df -Pk / | awk 'NR == 2 {print $4}'; " +
         fsync +
         // What each module provides counts as the module: a module built into the kernel
         // without parameters has no /sys/module entry and, on a host without its kernel's
         // modules.builtin (a container), no modinfo either. overlay is its filesystem; the
         // bridge's netfilter sysctls are br_netfilter's own.
         "for m in overlay br_netfilter; do [ -d /sys/module/$m ] || modinfo $m >/dev/null 2>&1 "
         "|| { [ $m = overlay ] && grep -qw overlay /proc/filesystems; } "
         "|| { [ $m = br_netfilter ] && [ -d /proc/sys/net/bridge ]; } || printf '%s ' $m; "
         "done; echo; "
         "stat -fc %T /sys/fs/cgroup 2>/dev/null || echo; "
         "for c in iptables-restore ip6tables-restore; do command -v $c >/dev/null || "
         "printf '%s ' $c; done; echo; "
         "ip -o addr show | awk '{print $4}'";
}

util::Result<HostFacts> parse_facts(const std::string& node, const std::string& output,
                                    double local_midpoint_seconds) {
  std::istringstream lines(output);
  HostFacts facts{.node = node};
  std::string clock, swap, disk, fsync, modules, commands, address;
  if (!std::getline(lines, facts.hostname) || !std::getline(lines, facts.machine_id) ||
      !std::getline(lines, clock) || !std::getline(lines, swap) || !std::getline(lines, disk) ||
      !std::getline(lines, fsync) || !std::getline(lines, modules) ||
      !std::getline(lines, facts.cgroup_filesystem) || !std::getline(lines, commands)) {
    return util::fail(
        util::Error::unavailable(node + ": incomplete answer to the preflight facts"));
  }
  try {
    facts.clock_offset_seconds = std::stod(clock) - local_midpoint_seconds;
    facts.swap_kib = std::stoll(swap);
    facts.free_disk_kib = std::stoll(disk);
    facts.fsync_microseconds = std::stoll(fsync);
  } catch (const std::exception&) {  // std::sto* throw on text that is not a number
    return util::fail(
        util::Error::unavailable(node + ": unexpected answer to the preflight facts"));
  }
  facts.missing_modules = words_of(modules);
  facts.missing_commands = words_of(commands);
  while (std::getline(lines, address)) {
    if (!address.empty()) facts.addresses.push_back(address);
  }
  return facts;
}

std::vector<std::string> preflight_problems(const model::Cluster& cluster,
                                            const std::vector<HostFacts>& facts,
                                            const PreflightOptions& options) {
  std::vector<std::string> problems;
  for (const auto& host : facts) {
    if (host.machine_id.empty()) {
      problems.push_back(host.node + ": /etc/machine-id is empty; run systemd-machine-id-setup");
    }
    check_host(cluster, host, options, problems);
  }
  find_duplicates(
      facts, [](const HostFacts& h) { return std::vector<std::string>{h.hostname}; }, "hostname",
      "give each host its own (hostnamectl set-hostname)", problems);
  find_duplicates(
      facts,
      [](const HostFacts& h) {
        return h.machine_id.empty() ? std::vector<std::string>{}
                                    : std::vector<std::string>{h.machine_id};
      },
      "machine ID", "cloned hosts: remove /etc/machine-id and run systemd-machine-id-setup",
      problems);
  find_duplicates(
      facts,
      [](const HostFacts& h) {
        std::vector<std::string> global;
        for (const auto& a : h.addresses) {
          if (a.rfind("127.", 0) != 0 && a != "::1/128" && a.rfind("fe80:", 0) != 0)
            global.push_back(a);
        }
        return global;
      },
      "address", "every host needs its own", problems);
  return problems;
}

util::Status preflight(const model::Cluster& cluster, transport::Transport& transport,
                       const PreflightOptions& options) {
  std::vector<std::future<util::Result<HostFacts>>> pending;
  for (const auto& node : cluster.nodes) {
    std::string script = facts_script(node.has_role(model::Role::kEtcd));
    pending.push_back(std::async(std::launch::async, [&transport, name = node.name, script] {
      double before = now_seconds();
      auto out = transport::run_checked(transport, name,
                                        {.script = script, .timeout = std::chrono::seconds(20)});
      double midpoint = (before + now_seconds()) / 2;
      if (!out) return util::Result<HostFacts>(util::fail(out.error()));
      return parse_facts(name, *out, midpoint);
    }));
  }
  std::vector<HostFacts> facts;
  std::vector<std::string> problems;
  for (auto& future : pending) {
    auto result = future.get();
    if (result) {
      facts.push_back(std::move(*result));
    } else {
      problems.push_back(result.error().message);
    }
  }
  for (auto& problem : preflight_problems(cluster, facts, options)) problems.push_back(problem);
  if (problems.empty()) return {};
  std::string list;
  for (const auto& problem : problems) list += "\n  " + problem;
  return util::fail(util::Error::failed_precondition(
      fmt::format("preflight found {} problem(s), nothing was changed:{}", problems.size(), list)));
}

}  // namespace zerospof::apply
