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

#include <string>
#include <utility>
#include <vector>

#include "analysis/report.h"
#include "model/cluster.h"
#include "model/workload.h"
#include "util/terminal.h"

namespace zerospof::analysis {

struct Options {
  int failures = 1;                // every set of up to this many failure domains
  bool component_stops = true;     // each component stopped on each node
  bool partitions = true;          // every bipartition of the failure domains
  int max_partition_domains = 16;  // 2^(n-1) - 1 bipartitions: beyond this, skipped and said so
  bool keep_ok_scenarios = true;   // false: scenario results only for non-ok outcomes (large plans)
  long detail_limit = -1;          // >= 0: keep at most this many scenario results in the report
  long detail_verdict_limit = -1;  // >= 0: and at most this many verdicts in them (a scenario
                                   // that degrades 10,000 workloads holds 10,000 verdicts)
  // false: the manifests already hold what render deploys (a live cluster's objects), so the
  // built-in plan's addons are not added again.
  bool rendered_addons = true;
  // Judge the failed-node sets that interchangeable nodes make alike once, through one
  // representative that stands for all of them (interchangeable_nodes.h); the report says how
  // many scenarios each one stands for. Only where failure domains are nodes.
  bool merge_interchangeable_nodes = false;
  // What has already failed (the audit of a live cluster): these nodes are down in every
  // scenario, so each scenario says what one more failure does. Stopped components: `stopped`.
  std::vector<std::string> down_nodes;
  std::vector<std::pair<std::string, Component>> stopped;
};

// Every scenario `options` asks for, judged (see the top of this file). `manifests` is taken by
// value: a caller done with its manifests moves them in, and half a million workloads are not
// copied.
Report analyse(const model::Cluster& cluster, model::Manifests manifests, const Options& options);

// The report for a person: each scenario with what it degrades or takes down (all of them when
// `verbose`, else the non-ok ones, capped for large plans), the single points of failure, the
// success criteria and the notes. Colour through `style`.
std::string format_text(const Report& report, const util::Style& style, bool verbose);

// The report for machines; the schema is documented in docs/check.md and kept stable
// (schemaVersion 2).
std::string format_json(const Report& report);

}  // namespace zerospof::analysis
