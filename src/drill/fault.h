// Faults injected into the live cluster, each with its heal armed BEFORE it is injected:
// - on a host, the heal is a script under /run/zerospof-drill/ plus a transient systemd timer
//   (systemd-run --on-active=TTL) that runs it, so a killed zerospof, a lost SSH connection or
//   a dead API never leaves a fault behind once the TTL passes;
// - a lab host that is killed cannot heal itself: a detached watchdog process on this machine
//   (its PID recorded in the drill's state directory) starts it again after the TTL.
// Network faults live in nftables tables of zerospof's own (`inet zerospof_drill`, and `arp
// zerospof_drill` for an isolated VIP holder) and never touch the host's other rules.
// heal_leftovers() (`zerospof drill --heal`) finds what any drill left and reverts it.
//
// A whole host down is one of three things (HostDownMethod): the lab's container killed; on
// real hosts, by default, the host isolated (every packet dropped but loopback and the operator's
// own SSH connection, so the heal still reaches it, and its timer heals it if nothing does); or,
// only when the operator allows it, a forced reboot, which heals by itself.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "drill/scenario.h"
#include "model/cluster.h"
#include "transport/transport.h"
#include "util/error.h"

namespace zerospof::drill {

// How the drill reaches lab hosts to crash them; unset for real hosts.
struct LabAccess {
  std::string state_dir;  // the lab's state directory (lab.yaml is there)
  std::string zerospof;   // this program, for the watchdog's `lab start`
};

// How a host-down scenario takes a host down.
enum class HostDownMethod {
  kLabCrash,  // the lab's container killed (`lab kill`), booted again (`lab start`)
  kIsolate,   // nftables drops every packet but loopback and the operator's SSH; the host and
              // its processes keep running, unreachable (what its peers see of a crash)
  kReboot,    // `systemctl reboot --force` (--allow-reboot): comes back by itself (the lab's
              // keeper boots its container again)
};
const char* to_string(HostDownMethod method);  // "crash", "isolate", "reboot"
std::optional<HostDownMethod> host_down_method(const std::string& name);

struct InjectedFault {
  std::string id;  // unique per drill: names the heal script and timer
  FaultKind kind = FaultKind::kStopService;
  std::vector<std::string> hosts;  // where a heal is armed (or the lab host killed)
  std::string unit;
  std::string description;  // "sigkill zerospof-kube-apiserver.service on cloudserver1"
  // Lab hosts down: the watchdogs that boot them after the TTL, one per host, in `hosts` order.
  std::vector<pid_t> watchdogs;
};

class FaultInjector {
 public:
  FaultInjector(const model::Cluster& cluster, transport::Transport& transport,
                std::optional<LabAccess> lab, std::string state_dir,
                HostDownMethod host_down = HostDownMethod::kLabCrash);

  // Arms the heal on every host concerned (TTL `ttl`), then injects. `nodes`: the target node
  // (every one, for a host-down scenario of several hosts); for a partition, the minority (the
  // rest of the plan's nodes is the other side).
  util::Result<InjectedFault> inject(const Scenario& scenario,
                                     const std::vector<std::string>& nodes, const std::string& id,
                                     std::chrono::seconds ttl);
  // Reverts `fault` now and disarms its timer (or watchdog).
  util::Status heal(const InjectedFault& fault);
  // Every fault any drill left on the plan's hosts or in `state_dir`, reverted. Returns one line
  // per thing healed.
  util::Result<std::vector<std::string>> heal_leftovers();

  // Where a heal script lives on a host, and the name of the timer that runs it.
  static std::string heal_script_path(const std::string& id);
  static std::string timer_unit(const std::string& id);
  // The shell that isolates the host it runs on: reads $SSH_CONNECTION to keep that connection,
  // and refuses (exit 1) without it.
  std::string isolation_rules() const;

 private:
  util::Result<InjectedFault> crash_lab_hosts(InjectedFault fault,
                                              const std::vector<std::string>& nodes,
                                              std::chrono::seconds ttl);
  util::Result<InjectedFault> isolate_hosts(InjectedFault fault,
                                            const std::vector<std::string>& nodes,
                                            std::chrono::seconds ttl);
  util::Result<InjectedFault> reboot_hosts(InjectedFault fault,
                                           const std::vector<std::string>& nodes);
  util::Status arm(const std::string& host, const std::string& id, const std::string& heal,
                   std::chrono::seconds ttl);
  util::Status run_on(const std::string& host, const std::string& script);
  // `act` on every host at once, the first error (in the hosts' order) returned once all ended:
  // a partition applied host after host is, for seconds on a loaded machine, an asymmetric one.
  util::Status on_each(const std::vector<std::string>& hosts,
                       const std::function<util::Status(const std::string&)>& act);
  std::string partition_rules(const std::vector<std::string>& others) const;

  const model::Cluster& cluster_;
  transport::Transport& transport_;
  const std::optional<LabAccess> lab_;
  const std::string state_dir_;
  const HostDownMethod host_down_;
};

}  // namespace zerospof::drill
