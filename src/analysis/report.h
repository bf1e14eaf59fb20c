// The analysis's report as plain data (analysis.h makes it; report_text.cpp and report_json.cpp
// print it): every scenario analysed, each service's verdict in it now and after rescheduling,
// the smallest scenario that takes each service down, the plan's success criteria and the
// findings of the rules, in a deterministic order.
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

enum class ScenarioKind : std::uint8_t {
  kBaseline,
  kDomainsDown,
  kComponentStopped,
  kPartition,
  kPowerFeedDown,  // every node of one power feed at once (Report::power_feed_names)
};

struct Scenario {
  ScenarioKind kind = ScenarioKind::kBaseline;
  std::vector<int> domains;  // kDomainsDown: the dead domains; kPartition: one side
  int node = -1;             // kComponentStopped
  Component component = Component::kEtcd;
  int failure_count = 0;  // how many failures make it up (domains down, or 1)
  int power_feed = -1;    // kPowerFeedDown: its index in Report::power_feed_names
  // How many scenarios it stands for: those that fail or stop the same kinds of interchangeable
  // nodes (Options::merge_interchangeable_nodes), with the same verdicts.
  long represents = 1;
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
  kPreempted,
  kWaitsWithoutPreempting,  // no room, and its PriorityClass never preempts lower pods
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
  std::vector<std::string> power_feed_names;  // Topology::power_feeds, in order
  std::vector<ServiceInfo> services;
  std::vector<Subject> subjects;
  std::vector<Scenario> scenarios;      // those with a result kept (see Options)
  std::vector<ScenarioResult> results;  // in scenario order
  long scenario_count = 0;              // every scenario analysed
  long judged_count = 0;                // of which judged one by one (the rest represented)
  // Classes of interchangeable nodes, of two nodes or more (node indices, ascending): a
  // scenario on one of them stands for the same scenario on the others.
  std::vector<std::vector<int>> interchangeable_nodes;
  long health_counts[3] = {0, 0, 0};  // scenarios by worst health (ok, degraded, down)
  long omitted = 0;  // non-ok scenarios past Options::detail_limit (counting what they represent)
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

}  // namespace zerospof::analysis
