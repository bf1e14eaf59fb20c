#include "drill/fault.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>

#include <filesystem>
#include <future>
#include <thread>

#include "lab/lab.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::drill {

namespace {

constexpr const char* kHealDir = "/run/zerospof-drill";
constexpr const char* kTable = "zerospof_drill";
// SIGSTOP of the main process `$pid` and its children (pkill exits 1 when there are none). Without
// pkill only the master would stop: refused before anything is stopped.
constexpr const char* kPauseWithChildren =
    "command -v pkill >/dev/null || { echo 'pkill (procps) is not installed: the children of "
    "the unit could not be paused' >&2; exit 1; }; "
    "kill -STOP \"$pid\" && { pkill -STOP -P \"$pid\"; [ $? -le 1 ]; }";

// A reboot is queued this far ahead, so that the command that queues it returns first.
constexpr std::chrono::seconds kRebootDelay{1};
// How long a rebooting host may take to stop answering before the fault counts as not injected.
constexpr std::chrono::seconds kRebootDeadline{30};

// Reverts every network fault: the partition's and the isolation's tables, whichever exist.
std::string delete_tables_script() {
  return fmt::format(
      "nft delete table inet {0} 2>/dev/null; nft delete table arp {0} 2>/dev/null; true", kTable);
}

// One watchdog file per crashed host: "<fault id>-<host>".
std::string watchdog_name(const std::string& id, const std::string& host) {
  return id + "-" + host;
}

lab::LabPaths lab_paths(const LabAccess& lab) {
  lab::LabPaths paths;
  paths.state_dir = lab.state_dir;
  return paths;
}

}  // namespace

const char* to_string(HostDownMethod method) {
  switch (method) {
    case HostDownMethod::kLabCrash:
      return "crash";
    case HostDownMethod::kIsolate:
      return "isolate";
    case HostDownMethod::kReboot:
      return "reboot";
  }
  return "crash";
}

std::optional<HostDownMethod> host_down_method(const std::string& name) {
  for (const HostDownMethod method :
       {HostDownMethod::kLabCrash, HostDownMethod::kIsolate, HostDownMethod::kReboot})
    if (name == to_string(method)) return method;
  return std::nullopt;
}

FaultInjector::FaultInjector(const model::Cluster& cluster, transport::Transport& transport,
                             std::optional<LabAccess> lab, std::string state_dir,
                             HostDownMethod host_down)
    : cluster_(cluster),
      transport_(transport),
      lab_(std::move(lab)),
      state_dir_(std::move(state_dir)),
      host_down_(host_down) {}

std::string FaultInjector::heal_script_path(const std::string& id) {
  return fmt::format("{}/{}.sh", kHealDir, id);
}

std::string FaultInjector::timer_unit(const std::string& id) {
  return fmt::format("zerospof-drill-heal-{}", id);
}

util::Status FaultInjector::run_on(const std::string& host, const std::string& script) {
  auto result = transport::run_checked(transport_, host,
                                       {.script = script, .timeout = std::chrono::seconds(15)});
  if (!result) return util::fail(result.error());
  return {};
}

util::Status FaultInjector::on_each(const std::vector<std::string>& hosts,
                                    const std::function<util::Status(const std::string&)>& act) {
  std::vector<std::future<util::Status>> acting;
  for (const std::string& host : hosts)
    acting.push_back(std::async(std::launch::async, [&act, &host] { return act(host); }));
  util::Status first;
  for (auto& done : acting) {
    util::Status status = done.get();
    if (first && !status) first = std::move(status);
  }
  return first;
}

// The heal script removes itself when it has run, so what is left under kHealDir is exactly
// what has not been healed yet.
util::Status FaultInjector::arm(const std::string& host, const std::string& id,
                                const std::string& heal, std::chrono::seconds ttl) {
  std::string path = heal_script_path(id);
  std::string script = fmt::format(
      "#!/bin/sh\n# zerospof drill: the heal of fault {}\n{}\nrm -f {}\n", id, heal, path);
  ZEROSPOF_RETURN_IF_ERROR(
      transport_.put_file(host, {.path = path, .content = script, .mode = 0700}));
  // A transient timer's default accuracy is a minute: the heal could fire that much after its
  // TTL (measured: 86 s for a 65 s TTL). One second is the bound a drill promises.
  return run_on(host, fmt::format("systemd-run --quiet --collect --unit={} --on-active={}s "
                                  "--timer-property=AccuracySec=1s /bin/sh {}",
                                  timer_unit(id), ttl.count(), path));
}

std::string FaultInjector::partition_rules(const std::vector<std::string>& others) const {
  std::vector<std::string> v4, v6;
  for (const std::string& address : others)
    (address.find(':') == std::string::npos ? v4 : v6).push_back(address);
  std::string input, output;
  if (!v4.empty()) {
    input += fmt::format("    ip saddr {{ {} }} drop\n", fmt::join(v4, ", "));
    output += fmt::format("    ip daddr {{ {} }} drop\n", fmt::join(v4, ", "));
  }
  if (!v6.empty()) {
    input += fmt::format("    ip6 saddr {{ {} }} drop\n", fmt::join(v6, ", "));
    output += fmt::format("    ip6 daddr {{ {} }} drop\n", fmt::join(v6, ", "));
  }
  // Its own table, created and deleted whole: the host's and zerospof's firewall stay untouched.
  return fmt::format(
      "nft -f - <<'NFT'\ntable inet {0}\ndelete table inet {0}\ntable inet {0} {{\n"
      "  chain input {{\n    type filter hook input priority -10; policy accept;\n{1}  }}\n"
      "  chain output {{\n    type filter hook output priority -10; policy accept;\n{2}  }}\n"
      "}}\nNFT",
      kTable, input, output);
}

// The operator's connection is the one running this script: its client address and the
// server's port, from $SSH_CONNECTION (an IPv4 client on a dual-stack socket may show as
// ::ffff:a.b.c.d). Loopback stays open: a crashed host's processes talk to nobody, an isolated
// host's to themselves, which no peer can tell apart. An isolated VIP holder's keepalived turns
// master and announces the VIP by ARP, which is not IP and passes the inet table: the arp table
// keeps it from taking the VIP back from the node that took it over. IPv6 announces by
// neighbour discovery, which is ICMPv6 and dropped with the rest.
std::string FaultInjector::isolation_rules() const {
  std::string arp;
  if (cluster_.endpoint.mode == model::EndpointMode::kVip && cluster_.endpoint.address) {
    const std::string vip = cluster_.endpoint.address->to_string();
    if (vip.find(':') == std::string::npos)
      arp = fmt::format(
          "table arp {0}\ndelete table arp {0}\ntable arp {0} {{\n"
          "  chain output {{\n    type filter hook output priority -10; policy accept;\n"
          "    arp saddr ip {1} drop\n  }}\n}}\n",
          kTable, vip);
  }
  return fmt::format(
      "set -- $SSH_CONNECTION\n"
      "if [ $# -lt 4 ]; then echo \"the operator's SSH connection is not known (SSH_CONNECTION is "
      "unset): isolating this host would cut the operator off too\" >&2; exit 1; fi\n"
      "operator=${{1#::ffff:}}; port=$4\n"
      "case $operator in *:*) family=ip6 ;; *) family=ip ;; esac\n"
      "nft -f - <<NFT\ntable inet {0}\ndelete table inet {0}\ntable inet {0} {{\n"
      "  chain input {{\n    type filter hook input priority -10; policy drop;\n"
      "    iif lo accept\n    $family saddr $operator tcp dport $port accept\n  }}\n"
      "  chain output {{\n    type filter hook output priority -10; policy drop;\n"
      "    oif lo accept\n    $family daddr $operator tcp sport $port accept\n  }}\n"
      "}}\n{1}NFT",
      kTable, arp);
}

util::Result<InjectedFault> FaultInjector::inject(const Scenario& scenario,
                                                  const std::vector<std::string>& nodes,
                                                  const std::string& id, std::chrono::seconds ttl) {
  if (nodes.empty())
    return util::fail(util::Error::failed_precondition(
        fmt::format("{}: no node is {} right now", scenario.name, to_string(scenario.target))));
  InjectedFault fault{.id = id, .kind = scenario.fault, .hosts = {}, .unit = scenario.unit};
  std::string unit = transport::shell_quote(scenario.unit);
  const std::string& node = nodes.front();
  switch (scenario.fault) {
    case FaultKind::kStopService:
    case FaultKind::kKillProcess:
    case FaultKind::kPauseProcess: {
      bool pause = scenario.fault == FaultKind::kPauseProcess;
      // The unit's main process by its PID (systemctl kill also signals helper processes, which
      // fails inside some containers); a unit without a running main process is an error. A
      // pause stops its children too: HAProxy's master only supervises, its worker serves.
      std::string main_pid = fmt::format(
          "pid=$(systemctl show -p MainPID --value {0}); [ \"$pid\" -gt 0 ] || "
          "{{ echo \"{0} has no running main process\" >&2; exit 1; }}; ",
          unit);
      std::string heal = pause ? fmt::format("systemctl kill -s CONT {}", unit)
                               : "systemctl start --no-block " + unit;
      // --no-block: the fault is in place once the stop begins (an apiserver drains for a while).
      std::string act = scenario.fault == FaultKind::kStopService
                            ? "systemctl stop --no-block " + unit
                        : pause ? main_pid + kPauseWithChildren
                                : main_pid + "kill -KILL \"$pid\"";
      ZEROSPOF_RETURN_IF_ERROR(arm(node, id, heal, ttl));
      fault.hosts = {node};
      fault.description =
          fmt::format("{} {} on {}", to_string(scenario.fault), scenario.unit, node);
      ZEROSPOF_RETURN_IF_ERROR(run_on(node, act));
      return fault;
    }
    case FaultKind::kPartition: {
      auto in_minority = [&](const std::string& host) {
        return std::find(nodes.begin(), nodes.end(), host) != nodes.end();
      };
      std::vector<std::string> majority, minority_addresses, majority_addresses;
      for (const model::Node& each : cluster_.nodes) {
        (in_minority(each.name) ? minority_addresses : majority_addresses)
            .push_back(each.cluster_address());
        if (!in_minority(each.name)) majority.push_back(each.name);
        fault.hosts.push_back(each.name);
      }
      // Every host armed before any is cut off, then every host cut off at once.
      const std::string heal = delete_tables_script();
      ZEROSPOF_RETURN_IF_ERROR(
          on_each(fault.hosts, [&](const std::string& host) { return arm(host, id, heal, ttl); }));
      fault.description =
          fmt::format("partition {} | {}", fmt::join(nodes, ","), fmt::join(majority, ","));
      ZEROSPOF_RETURN_IF_ERROR(on_each(fault.hosts, [&](const std::string& host) {
        return run_on(host,
                      partition_rules(in_minority(host) ? majority_addresses : minority_addresses));
      }));
      return fault;
    }
    case FaultKind::kHostDown:
      switch (host_down_) {
        case HostDownMethod::kLabCrash:
          return crash_lab_hosts(std::move(fault), nodes, ttl);
        case HostDownMethod::kIsolate:
          return isolate_hosts(std::move(fault), nodes, ttl);
        case HostDownMethod::kReboot:
          return reboot_hosts(std::move(fault), nodes);
      }
  }
  return util::fail(util::Error::internal("unknown fault kind"));
}

util::Result<InjectedFault> FaultInjector::crash_lab_hosts(InjectedFault fault,
                                                           const std::vector<std::string>& nodes,
                                                           std::chrono::seconds ttl) {
  if (!lab_)
    return util::fail(util::Error::failed_precondition(
        "crashing a whole host needs the lab (--lab): real hosts are isolated instead",
        "drill real hosts with --host-down isolate (their default), or reboot them with "
        "--host-down reboot --allow-reboot"));
  // Every watchdog first: each boots its host after the TTL whatever happens to this process.
  std::filesystem::create_directories(state_dir_ + "/watchdogs");
  for (const std::string& host : nodes) {
    std::string name = watchdog_name(fault.id, host);
    auto watchdog = util::spawn_detached(
        {"/bin/sh", "-c",
         fmt::format("sleep {} && exec {} lab start {} --state-dir {}", ttl.count(),
                     transport::shell_quote(lab_->zerospof), transport::shell_quote(host),
                     transport::shell_quote(lab_->state_dir))},
        {.log_path = state_dir_ + "/watchdogs/" + name + ".log"});
    if (!watchdog) return util::fail(watchdog.error());
    ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic(state_dir_ + "/watchdogs/" + name,
                                                     fmt::format("{} {}\n", *watchdog, host),
                                                     {.mode = 0600, .overwrite = true}));
    fault.watchdogs.push_back(*watchdog);
    fault.hosts.push_back(host);
  }
  fault.description = fmt::format("{} crashed (lab kill)", fmt::join(nodes, ", "));
  for (const std::string& host : nodes)
    ZEROSPOF_RETURN_IF_ERROR(lab::kill_host(lab_paths(*lab_), host));
  return fault;
}

// Every host armed before any is cut off; the heal reaches them through the connection kept.
util::Result<InjectedFault> FaultInjector::isolate_hosts(InjectedFault fault,
                                                         const std::vector<std::string>& nodes,
                                                         std::chrono::seconds ttl) {
  const std::string heal = delete_tables_script();
  fault.hosts = nodes;
  ZEROSPOF_RETURN_IF_ERROR(
      on_each(nodes, [&](const std::string& host) { return arm(host, fault.id, heal, ttl); }));
  fault.description =
      fmt::format("{} isolated (every packet dropped but loopback and the operator's SSH)",
                  fmt::join(nodes, ", "));
  const std::string rules = isolation_rules();
  ZEROSPOF_RETURN_IF_ERROR(
      on_each(nodes, [&](const std::string& host) { return run_on(host, rules); }));
  return fault;
}

// Nothing to arm: a rebooted host comes back by itself. The reboot is queued a second ahead so
// that the command returns; the fault counts from when the host stopped answering.
util::Result<InjectedFault> FaultInjector::reboot_hosts(InjectedFault fault,
                                                        const std::vector<std::string>& nodes) {
  for (const std::string& host : nodes) {
    ZEROSPOF_RETURN_IF_ERROR(
        run_on(host, fmt::format("systemd-run --quiet --collect --unit=zerospof-drill-reboot-{} "
                                 "--on-active={}s --timer-property=AccuracySec=50ms "
                                 "/bin/systemctl reboot --force",
                                 fault.id, kRebootDelay.count())));
    fault.hosts.push_back(host);
  }
  fault.description =
      fmt::format("{} rebooted (systemctl reboot --force, --allow-reboot)", fmt::join(nodes, ", "));
  const auto deadline = std::chrono::steady_clock::now() + kRebootDeadline;
  std::vector<std::string> answering = nodes;
  while (!answering.empty()) {
    std::erase_if(answering, [&](const std::string& host) {
      auto alive = transport_.run(host, {.script = "true", .timeout = std::chrono::seconds(2)});
      return !alive || alive->exit_code != 0;
    });
    if (answering.empty()) break;
    if (std::chrono::steady_clock::now() > deadline)
      return util::fail(util::Error::failed_precondition(
          fmt::format("{} still answered {} s after its reboot was queued",
                      fmt::join(answering, ", "), kRebootDeadline.count()),
          "see `journalctl -u zerospof-drill-reboot-*` on it; a reboot not seen is not counted"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return fault;
}

util::Status FaultInjector::heal(const InjectedFault& fault) {
  // A rebooted host has nothing to revert: the drill waits until it is healthy again.
  if (fault.kind == FaultKind::kHostDown && host_down_ == HostDownMethod::kReboot) return {};
  if (fault.kind == FaultKind::kHostDown && host_down_ == HostDownMethod::kLabCrash) {
    util::Status status;
    for (std::size_t i = 0; i < fault.hosts.size(); ++i) {
      if (i < fault.watchdogs.size() && util::process_alive(fault.watchdogs[i]))
        ::kill(-fault.watchdogs[i], SIGTERM);
      std::filesystem::remove(state_dir_ + "/watchdogs/" + watchdog_name(fault.id, fault.hosts[i]));
      auto started = lab::start_host(lab_paths(*lab_), fault.hosts[i], [](const std::string&) {});
      if (!started && status) status = started;
    }
    return status;
  }
  util::Status status;
  for (const std::string& host : fault.hosts) {
    auto healed = run_on(host, fmt::format("if [ -e {0} ]; then /bin/sh {0}; fi; "
                                           "systemctl stop {1}.timer 2>/dev/null; true",
                                           heal_script_path(fault.id), timer_unit(fault.id)));
    if (!healed && status) status = healed;
  }
  return status;
}

util::Result<std::vector<std::string>> FaultInjector::heal_leftovers() {
  std::vector<std::string> healed;
  // Lab hosts a drill crashed: their watchdog may still be sleeping.
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(state_dir_ + "/watchdogs", error)) {
    if (entry.path().extension() == ".log") continue;
    auto text = util::read_file(entry.path().string());
    pid_t pid = 0;
    char name[256] = {};
    if (!text || std::sscanf(text->c_str(), "%d %255s", &pid, name) != 2) continue;
    if (!lab_)
      return util::fail(util::Error::failed_precondition(
          fmt::format("a drill crashed the lab host {} and only the lab can boot it", name),
          "run `zerospof drill PLAN --heal --lab` (with --lab-dir if the lab is elsewhere)"));
    if (pid > 0 && util::process_alive(pid)) ::kill(-pid, SIGTERM);
    auto started = lab::start_host(lab_paths(*lab_), name, [](const std::string&) {});
    if (!started) return util::fail(started.error());
    std::filesystem::remove(entry.path());
    healed.push_back(fmt::format("{}: booted again (crashed by a drill)", name));
  }
  std::string script = fmt::format(
      "n=0; for f in {0}/*.sh; do [ -e \"$f\" ] || continue; /bin/sh \"$f\"; n=$((n+1)); done; "
      "for t in $(systemctl list-units --plain --no-legend 'zerospof-drill-heal-*.timer' | "
      "awk '{{print $1}}'); do systemctl stop \"$t\"; done; "
      "for family in inet arp; do if nft list table $family {1} >/dev/null 2>&1; then "
      "nft delete table $family {1}; n=$((n+1)); fi; done; echo $n",
      kHealDir, kTable);
  for (const model::Node& node : cluster_.nodes) {
    auto result = transport::run_checked(transport_, node.name,
                                         {.script = script, .timeout = std::chrono::seconds(20)});
    if (!result) return util::fail(result.error());
    if (result->find_first_not_of("0\n") != std::string::npos)
      healed.push_back(fmt::format("{}: {} fault(s) reverted", node.name, std::stoi(*result)));
  }
  return healed;
}

}  // namespace zerospof::drill
