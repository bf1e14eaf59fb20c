// The static failure analysis behind `zerospof check` (and later `audit`): from a plan and the
// workloads it will run, every failure scenario asked for (each failure domain down, every set
// of up to K domains, each component stopped on each node, every bipartition of the network),
// and for each scenario and each service whether it stays ok, is degraded or goes down, now and
// after Kubernetes has rescheduled what it can. The answer names the smallest failing scenario
// of every service, the single points of failure and the plan's success criteria.
//
// Guarantees: pure function of its inputs (no I/O, no clock, no randomness), deterministic
// output order, and worst-case reasoning wherever the real placement is the scheduler's choice
// (replicas with no required spread may all share one node). Cost per scenario is proportional
// to what the scenario touches, not to the size of the cluster (see engine.h).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/cluster.h"
#include "model/workload.h"

namespace zerospof::analysis {

enum class Health : std::uint8_t { kOk, kDegraded, kDown };  // ordered by severity
const char* to_string(Health health);

// Processes zerospof runs per node, which a scenario may stop one at a time.
enum class Component : std::uint8_t {
  kEtcd,
  kApiserver,
  kScheduler,
  kControllerManager,
  kHaproxy,
  kKeepalived,
  kKubelet,
};
const char* to_string(Component component);

struct Options {
  int failures = 1;                // every set of up to this many failure domains
  bool component_stops = true;     // each component stopped on each node
  bool partitions = true;          // every bipartition of the failure domains
  int max_partition_domains = 16;  // 2^(n-1) - 1 bipartitions: beyond this, skipped and said so
  bool keep_ok_scenarios = true;   // false: scenario results only for non-ok outcomes (large plans)
  long detail_limit = -1;          // >= 0: keep at most this many scenario results in the report
  // false: the manifests already hold what render deploys (a live cluster's objects), so the
  // built-in plan's addons are not added again.
  bool rendered_addons = true;
  // What has already failed (the audit of a live cluster): these nodes are down in every
  // scenario, so each scenario says what one more failure does. Stopped components: `stopped`.
  std::vector<std::string> down_nodes;
  std::vector<std::pair<std::string, Component>> stopped;
};

enum class ScenarioKind : std::uint8_t { kBaseline, kDomainsDown, kComponentStopped, kPartition };

struct Scenario {
  ScenarioKind kind = ScenarioKind::kBaseline;
  std::vector<int> domains;  // kDomainsDown: the dead domains; kPartition: one side
  int node = -1;             // kComponentStopped
  Component component = Component::kEtcd;
  int failure_count = 0;  // how many failures make it up (domains down, or 1)
};

struct ServiceInfo {
  std::string name;  // "etcd", "coredns", "deployment/shop/web"
  model::ServiceClass service_class = model::ServiceClass::kDataPath;
  std::string what;            // one line: what it is and how it stays available
  util::SourceLocation where;  // for workloads and webhooks from manifests
  std::string blocks;          // admission webhooks: the writes rejected while it is down
};

// Why a verdict is what it is; report.cpp turns it and the numbers into one line.
enum class Reason : std::uint8_t {
  kAllLive,
  kQuorumKept,
  kQuorumLost,
  kInstancesLost,
  kNoInstance,
  kEtcdDown,
  kApiDown,
  kLeaderReelected,
  kVipMoves,
  kNoVipHolder,
  kBackendsLost,
  kNodeLosesApi,
  kReplicasLost,
  kMayShareNode,
  kStatefulSetStuck,
  kNoCapacity,
  kCannotSchedule,
  kPerNode,
  kVolumesDegraded,
  kVolumesLost,
  kReflectorsLost,
  kNoReflector,
  kPartitionMinority,
  kVipSplitBrain,
  kWebhookDegraded,
  kWebhookDown,
};

struct Verdict {
  int subject = 0;              // index into Report::subjects
  Health health = Health::kOk;  // the verdict: now and after recovery, weighed by service class
  Health now = Health::kOk;     // the moment the failure happens
  Health after = Health::kOk;   // once Kubernetes has rescheduled what it can
  Reason reason = Reason::kAllLive;
  std::int32_t live = 0, total = 0, live_after = 0, extra = 0;  // webhooks: extra = service
};

struct ScenarioResult {
  int scenario = 0;  // index into Report::scenarios
  Health worst = Health::kOk;
  std::vector<Verdict> verdicts;  // the subjects that are not ok, in subject order
};

// A subject is one service, or a group of workloads that behave identically in every scenario
// (same nodes, replicas and spread): evaluated once, reported for each member.
struct Subject {
  std::vector<int> services;
};

struct ServiceSummary {
  Health worst = Health::kOk;
  Scenario scenario;  // the first (so smallest) scenario reaching `worst`
  Verdict first_verdict;
};

struct Criterion {
  std::string text;  // as cluster-plan.md writes it
  enum class Result { kPass, kFail, kNotJudged } result = Result::kPass;
  std::string reason;
};

// A rule that judges the manifests as written, whatever fails: a budget that blocks every
// drain, replicas the scheduler may stack on one node, a volume that ties a pod to its node, a
// Service that only nodes running its pods answer. Findings never change the exit code, which
// only the failure scenarios set.
struct Finding {
  std::string rule;            // stable identifier: "pdb-blocks-drain" (docs/check.md)
  std::string object;          // "poddisruptionbudget/shop/web"
  util::SourceLocation where;  // where the object is written
  std::string reason;          // what happens, and in which scenarios
  std::string fix;             // the constraint or setting that removes it
};

struct Report {
  std::vector<std::string> node_names;
  std::vector<std::string> domain_names;  // failure domains: nodes, or zones
  bool zones = false;
  std::vector<ServiceInfo> services;
  std::vector<Subject> subjects;
  std::vector<Scenario> scenarios;        // those with a result kept (see Options)
  std::vector<ScenarioResult> results;    // in scenario order
  long scenario_count = 0;                // every scenario analysed
  long health_counts[3] = {0, 0, 0};      // scenarios by worst health (ok, degraded, down)
  long omitted = 0;                       // non-ok scenarios past Options::detail_limit
  std::vector<ServiceSummary> summaries;  // per service
  std::vector<Criterion> criteria;
  std::vector<Finding> findings;                  // in rule order, then manifest order
  std::vector<std::string> notes;                 // what the user needs to know; not failures
  std::vector<std::string> skipped;               // scenarios not analysed, and why
  std::vector<model::UnmodelledKind> unmodelled;  // objects of kinds the analysis does not judge
  int failures = 1;

  std::string scenario_name(const Scenario& scenario) const;
  std::string reason_text(const Verdict& verdict) const;
  bool any_down() const;
};

Report analyse(const model::Cluster& cluster, const model::Manifests& manifests,
               const Options& options);

}  // namespace zerospof::analysis

namespace zerospof::util {
class Style;
}

namespace zerospof::analysis {

// The report for a person: each scenario with what it degrades or takes down (all of them when
// `verbose`, else the non-ok ones, capped for large plans), the single points of failure, the
// success criteria and the notes. Colour through `style`.
std::string format_text(const Report& report, const util::Style& style, bool verbose);

// The report for machines; the schema is documented in docs/check.md and kept stable
// (schemaVersion 2).
std::string format_json(const Report& report);

}  // namespace zerospof::analysis
