// Faults injected into the live cluster, each with its heal armed BEFORE it is injected:
// - on a host, the heal is a script under /run/zerospof-drill/ plus a transient systemd timer
//   (systemd-run --on-active=TTL) that runs it, so a killed zerospof, a lost SSH connection or
//   a dead API never leaves a fault behind once the TTL passes;
// - a lab host that is killed cannot heal itself: a detached watchdog process on this machine
//   (its PID recorded in the drill's state directory) starts it again after the TTL.
// Network faults live in an nftables table of zerospof's own (`inet zerospof_drill`) and never
// touch the host's other rules. heal_leftovers() (`zerospof drill --heal`) finds what any drill
// left and reverts it.
#pragma once

#include <sys/types.h>

#include <chrono>
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
                std::optional<LabAccess> lab, std::string state_dir);

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

 private:
  util::Status arm(const std::string& host, const std::string& id, const std::string& heal,
                   std::chrono::seconds ttl);
  util::Status run_on(const std::string& host, const std::string& script);
  std::string partition_rules(const std::vector<std::string>& others) const;

  const model::Cluster& cluster_;
  transport::Transport& transport_;
  const std::optional<LabAccess> lab_;
  const std::string state_dir_;
};

}  // namespace zerospof::drill
