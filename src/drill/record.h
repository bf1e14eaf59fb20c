// What a drill records and concludes, as plain values: the report writers (text, JSON, HTML)
// and the tests read these, nothing re-parses printed text. Times are milliseconds since the
// drill started, from the monotonic clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "history/history.h"
#include "status/status.h"

namespace zerospof::drill {

// kConflict: the server answered that another write came first (HTTP 409, a failed etcd
// comparison). The write did not happen, but the service was there: it counts as available.
enum class AttemptOutcome { kOk, kFailed, kUnknown, kConflict };

// One request of a probe, as its client saw it.
struct Attempt {
  int client = 0;
  double start_ms = 0;
  double end_ms = 0;
  AttemptOutcome outcome = AttemptOutcome::kOk;
  // Why it did not succeed, in a few stable words ("HTTP 409 Conflict", "Timeout was reached"),
  // so that causes can be counted; "" for a success.
  std::string cause;
};

struct ProbeRecord {
  std::string name;  // "api-write", "api-read"
  std::vector<Attempt> attempts;
  // The longest time without a success that overlaps the fault, from the fault's start until
  // the first success after it at the latest; nullopt when the probe never ran.
  std::optional<double> unavailable_ms;
  std::optional<double> unavailable_from_ms;  // when that outage began, on the drill's clock
  // The longest outage once the windows in which the drill itself was paused are taken out
  // (pause_watch.h); what the verdict weighs.
  std::optional<double> unavailable_unpaused_ms;
  std::size_t ok = 0, failed = 0, unknown = 0, conflicts = 0;
  // How many attempts failed or went unanswered for each cause.
  std::map<std::string, std::size_t> causes;
  // Its outage is judged against the budget. A lane shown for the timeline only is not: each
  // apiserver's own /readyz (the one the fault hits is down by design; clients go elsewhere).
  bool judged = true;
};

// A window in which the drill's own process could not run (pause_watch.h), on its clock.
struct Pause {
  double from_ms = 0;
  double to_ms = 0;
};

// Something that shows a failover path ran (or a fault took effect), when it was seen.
struct Event {
  double at_ms = 0;
  // "vip", "etcd-leader", "lease", "node", "taint", "pods", "fault", "heal", "healthy"
  std::string kind;
  std::string text;
  std::string node;    // "node" and "taint" events: the node whose Ready condition or taint changed
  bool ready = false;  // "node" and "taint" events: whether it is Ready now
};

// What the watch probe's watches delivered, judged against the API history (watch_probe.h).
struct WatchCheck {
  bool delivered = true;   // every acknowledged write once, in order, no gap but a signalled one
  std::size_t events = 0;  // modifications delivered
  std::size_t acknowledged = 0;  // acknowledged writes that had to be delivered
  std::size_t missing = 0;       // acknowledged writes never delivered
  std::size_t duplicated = 0;    // values delivered more than once
  std::size_t out_of_order = 0;  // events whose value did not replace the one delivered before
  std::size_t reconnects = 0;    // watches that broke and were started again
  std::size_t expired = 0;       // watches refused with 410 Gone, then listed again
  std::size_t relisted = 0;      // acknowledged writes such a list jumped over: the client got the
                                 // state after them, not their events (signalled, not silent)
  std::vector<std::string> problems;  // the first few, for the report
};

// check's verdict for one service in the analysis scenario of the same failure.
struct ServicePrediction {
  std::string service;  // "etcd", "api-endpoint", "deployment/kube-system/coredns"
  std::string health;   // "degraded", "down"
  std::string reason;   // "2 of 3 members left, quorum (2) kept"
};

// What `zerospof check` predicted for the scenario (prediction.h).
struct CheckPrediction {
  std::string scenario;                     // check's name for it: "node cloudserver3 down"
  std::string worst;                        // "ok", "degraded", "down"
  std::vector<ServicePrediction> services;  // the services not ok, in check's order
};

enum class Verdict { kPass, kFail, kInconclusive };
const char* to_string(Verdict verdict);

struct ScenarioResult {
  std::string name;
  std::string plan_name;
  std::string description;
  int run = 1;
  std::string target_node;  // whom the fault hit; for a partition, the minority "A,B"
  // The nodes that must stay Ready through the scenario: all but the fault's targets; in a
  // partition, the side that keeps etcd's quorum (the other loses the API by design).
  std::vector<std::string> must_stay_ready;
  std::string fault;  // "sigkill zerospof-kube-apiserver.service on cloudserver1"
  double fault_start_ms = 0;
  double fault_end_ms = 0;  // when the heal was run
  double healthy_ms = 0;    // when the cluster was healthy again (0 when it never was)
  std::vector<ProbeRecord> probes;
  // When the drill itself was paused (a starved machine) while it probed: the part of an outage
  // that falls in one cannot be charged to the cluster.
  std::vector<Pause> drill_pauses;
  std::vector<Event> events;
  history::History history;          // the API register history (ConfigMaps with resourceVersions)
  std::optional<bool> linearizable;  // nullopt: the checker could not decide
  std::string linearizability_detail;
  std::size_t acknowledged_writes = 0;
  std::size_t acknowledged_writes_lost = 0;
  bool failover_path_seen = false;
  std::string failover_path;  // what had to be seen
  std::optional<bool> etcd_hashes_equal;
  std::optional<WatchCheck> watch;       // nullopt: the watch probe did not run
  std::optional<CheckPrediction> check;  // nullopt: check has no scenario of this failure
  double predicted_outage_ms = 0;
  std::string predicted_reason;
  // worker-down: from the fault until every replica of the pod probe ran on the other nodes
  // (nullopt: never, or not this scenario), and what the tuning allows for it.
  std::optional<double> pods_rescheduled_ms;
  double predicted_reschedule_ms = 0;
  // What `zerospof status` said half way through the fault (nullopt: not asked), and when.
  std::optional<status::ClusterStatus> status_during_fault;
  double status_at_ms = 0;
  // Set instead when status had not answered by the fault's end (and two of its timeouts): how
  // long it had been asked. The fault is not held longer for it, and its late view is dropped.
  std::optional<double> status_unanswered_ms;
  // The operator stopped the drill in this scenario's fault, which was healed then: it ran
  // shorter than asked, and its timings are left out of the figures over the runs.
  bool interrupted = false;
  Verdict verdict = Verdict::kInconclusive;
  std::vector<std::string> reasons;   // why the verdict (each criterion that failed)
  std::vector<std::string> findings;  // a prediction the measurement contradicts
};

struct DrillReport {
  std::string cluster;
  std::string tuning;  // the plan's tuning profile
  // The plan sets some timings of its own over the profile's (lab.yaml's node timings): the
  // figures are the profile's only when this is false.
  bool tuning_customised = false;
  std::uint64_t seed = 0;
  std::string endpoint;
  std::vector<ScenarioResult> scenarios;
  // How many scenario runs the drill set out to make (scenarios times runs): fewer in
  // `scenarios` means it was stopped, or the report was written while it ran.
  std::size_t scenario_runs_planned = 0;
  // The operator stopped it (Ctrl-C): the fault then in place was healed at once, and no
  // scenario started after.
  bool interrupted = false;
  std::vector<std::string> notes;  // what was simulated or not measured, said once
  // The same scenarios under other tunings (drill --compare-tuning, compare.h), each a whole
  // report of its own, in the order they ran; empty when none was compared.
  std::vector<DrillReport> compared;
};

}  // namespace zerospof::drill
