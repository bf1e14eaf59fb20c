// The audit of a live cluster: which failure would take a service down NOW. It builds check's
// analysis model from what the cluster really is (the Kubernetes objects the API holds, each
// workload pinned to the nodes its ready pods run on, what has already failed: hosts down,
// components stopped, etcd members gone) and runs check's scenario engine on it, so the answer
// is in check's words and JSON. Beside it: per service what it tolerates now, every drift from
// the plan with whether it changes a verdict, and certificates that expire on every
// control-plane node within the warning window (a single point of failure with a date).
//
// audit() is a pure function of the observations (tests/audit/audit_test.cpp feeds it made-up
// ones); observing is status::observe_cluster's job.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "model/cluster.h"
#include "status/status.h"
#include "util/error.h"
#include "util/terminal.h"

namespace zerospof::audit {

struct Tolerance {
  std::string service;        // check's name: "etcd", "deployment/kube-system/coredns"
  std::string now;            // what status says of it now ("3/3 members healthy, ..."); may be ""
  int tolerates = 0;          // failures it survives (of the failure counts analysed)
  bool at_least = false;      // survives every set analysed: tolerates at least `tolerates`
  std::string takes_it_down;  // the smallest scenario that takes it down, and why ("" if none)
};

struct Drift {
  std::string what;              // "deployment/kube-system/coredns: the plan runs 3 replicas, ..."
  bool changes_verdict = false;  // a service's worst verdict differs between plan and live
  std::string verdict;           // how, when it does
};

struct ScheduledFailure {
  std::string path;      // the certificate file, the same on every control-plane node
  double days_left = 0;  // the soonest of them
  std::vector<std::string> nodes;
};

struct AuditOptions {
  int failures = 1;
  double certificate_warning_days = 30;
  // Drift from the rendered files, when the caller compared them (audit --render-dir): per host,
  // the paths that differ from the bundle or are missing. Unset: not compared, and said so.
  std::optional<std::map<std::string, std::vector<std::string>>> files_differing;
};

struct AuditReport {
  status::ClusterStatus now;
  analysis::Report live;  // check's engine on the live model
  std::vector<Tolerance> tolerances;
  std::vector<Drift> drifts;
  std::vector<ScheduledFailure> scheduled;
  std::vector<std::string> notes;  // how the live cluster was modelled, what was left out
  int failures = 1;

  bool any_single_point() const;
};

// The plan's model with what has failed now and the live objects (exposed for tests).
struct LiveModel {
  model::Cluster cluster;
  model::Manifests manifests;
  analysis::Options options;
  std::vector<std::string> notes;
};
util::Result<LiveModel> live_model(const model::Cluster& plan, const status::Observations& observed,
                                   const status::ClusterStatus& now, int failures);

util::Result<AuditReport> audit(const model::Cluster& plan, const status::Observations& observed,
                                const AuditOptions& options = {});

// Check's text report of the live model, preceded by the audit's own sections.
std::string report_text(const AuditReport& report, const util::Style& style);
// Check's JSON with an "audit" object added (tolerances, drift, scheduledFailures, now).
std::string report_json(const AuditReport& report);

// 0 no single point of failure, 1 one (or a service down already, or a volume stuck on a node that
// is not Ready), 4 nothing answered.
int exit_code(const AuditReport& report);

}  // namespace zerospof::audit
