// drill: fails the live cluster on purpose, one scenario at a time, while probes record what
// clients see, and judges each scenario with evidence (judge.h). The cluster is the one apply
// made: the plan's hosts over the same SSH transport, the API through the endpoint in the admin
// kubeconfig. A drill refuses to start on a cluster that is not healthy, and after each
// scenario waits until it is healthy again before the next.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "drill/api_probe.h"
#include "drill/etcd_probe.h"
#include "drill/fault.h"
#include "drill/health_probe.h"
#include "drill/record.h"
#include "drill/watch_probe.h"
#include "model/cluster.h"
#include "observe/http.h"
#include "transport/transport.h"

namespace zerospof::drill {

// The values a drill's own settings may take. The command refuses one outside its range, and a
// journal whose header holds one is refused as damaged (journal.h): both read them from here, so
// a journal the command would refuse never loads.
struct SettingRange {
  int lowest;
  int highest;
  constexpr bool holds(long long value) const { return value >= lowest && value <= highest; }
};
inline constexpr SettingRange kRunsRange{1, 100};
inline constexpr SettingRange kFaultSecondsRange{1, 600};
inline constexpr SettingRange kTtlMarginSecondsRange{5, 3600};
inline constexpr SettingRange kRecoverySecondsRange{5, 3600};

struct DrillOptions {
  // Names from catalogue() or "partition:A+B" splits; when empty, every catalogue scenario if
  // `whole_catalogue`.
  std::vector<std::string> scenarios;
  bool whole_catalogue = true;
  bool partitions = false;  // and every bipartition of the nodes (partition_scenarios)
  int runs = 1;
  std::uint64_t seed = 0;                          // orders the scenarios of each run
  std::chrono::seconds fault_duration{10};         // how long a fault stays before the heal
  std::chrono::seconds ttl_margin{60};             // the armed heal fires this long after that
  std::chrono::seconds recovery_limit{120};        // healthy again within this after the heal
  std::chrono::milliseconds before_fault{2000};    // probing before the fault (the baseline)
  std::chrono::milliseconds after_recovery{2000};  // and after the cluster is healthy again
  ApiProbeOptions probe;
  EtcdProbeOptions etcd_probe;
  WatchProbeOptions watch_probe;
  HealthProbeOptions health_probe;
  // Where real pods run (data_plane.h): its dns and service lanes, and the key-value workload
  // (in its own keys and process numbers). false: none of it, and the report says so.
  bool data_plane = true;
  HealthProbeOptions data_plane_probe{.interval = std::chrono::milliseconds(100)};
  EtcdProbeOptions workload_probe{.clients = 3,
                                  .registers = 2,
                                  .interval = std::chrono::milliseconds(200),
                                  .key_prefix = "/zerospof-drill-workload",
                                  .process_offset = 2'000'000,
                                  .lane = "workload"};
  // Ask `zerospof status`'s questions half way through each fault and keep its view in the
  // report (each question bounded by status_timeout). Off unless asked: on the 2-core lab its
  // questions (about 1.6 CPU-seconds within 1-3 s) stalled the cluster being measured, and the
  // stall was judged as the scenario's outage.
  bool status_during_fault = false;
  std::chrono::milliseconds status_timeout{3000};
  std::optional<LabAccess> lab;  // lab hosts: host-down scenarios may crash containers
  HostDownMethod host_down = HostDownMethod::kLabCrash;
  std::string state_dir;  // the watchdogs of lab host faults
  std::function<void(const std::string&)> progress = [](const std::string&) {};
  // The state of the fault in place, every second (its age, the probes' counts): each replaces
  // the one before, where progress's lines stay (cli/drill_progress.h).
  std::function<void(const std::string&)> live = [](const std::string&) {};
  // True once the operator asked the drill to stop (util/stop_signal.h). Asked before each
  // scenario and every second of a fault: the fault in place is healed at once, its scenario
  // is judged inconclusive at best ("interrupted"), and no other starts.
  std::function<bool()> stop_requested = [] { return false; };
  // Called with the report so far before the first scenario and after each, so that the caller
  // can write it down: a drill that is killed, or whose machine goes away, keeps every scenario
  // it finished.
  std::function<void(const DrillReport&)> report_so_far = [](const DrillReport&) {};
  // Called with each scenario run this drill finishes, the moment it is judged (before
  // report_so_far): the journal (journal.h) keeps it for a resumed drill.
  std::function<void(const ScenarioResult&)> scenario_finished = [](const ScenarioResult&) {};
  // Scenario runs an earlier invocation of this drill finished (drill --resume): each is kept
  // as it was judged and not run again, in its place in the order the seed gives; the others
  // run as if the drill had never stopped. Kept also when the operator stops this one.
  std::vector<ScenarioResult> earlier_runs;
};

// Checks the names; an unknown one is an error naming the known ones.
util::Status validate_scenarios(const std::vector<std::string>& names);

// Runs every scenario `runs` times. Fails (without injecting anything) when the cluster is not
// healthy at the start; a scenario that could not inject its fault is a failed scenario.
// `api_http` carries the admin kubeconfig's credentials to `server`; `etcd_http` etcd's client
// credentials (nullptr: etcd is not probed, and the report says so).
util::Result<DrillReport> run_drill(const model::Cluster& cluster, transport::Transport& transport,
                                    observe::HttpClient& api_http, observe::HttpClient* etcd_http,
                                    const std::string& server, const DrillOptions& options);

}  // namespace zerospof::drill
