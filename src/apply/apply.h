// apply: brings real hosts to a rendered Bundle over SSH, and a second apply changes nothing.
// preflight (preflight.h) looks at every host before anything is touched; the plan, the bundle
// and the binary cache become a graph of idempotent steps (build_steps.h) that the runner
// (runner.h) executes in parallel across hosts, rolling each service one host at a time, with a
// journal, a dry run and resume by re-reading the hosts.
//
// Guarantees (docs/apply.md): files land atomically; a binary is installed only after its
// sha256 was checked on the host; etcd members restart one at a time and only while quorum
// holds; a failed step's dependents are skipped, other hosts carry on; an unreachable host is
// tried again before its step fails.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "apply/progress.h"
#include "apply/runner.h"
#include "model/cluster.h"
#include "render/render.h"
#include "util/cluster_lock.h"

namespace zerospof::apply {

struct ApplyOptions {
  std::string binary_cache;  // a directory with `manifest` and the binaries it lists
  std::string known_hosts;   // for ssh; empty: the user's own
  std::string state_dir;     // the journal and the operator's files live here
  bool dry_run = false;      // run() goes to a recorder, check() still reads the hosts
  bool lab = false;          // lab hosts: swap tolerated; kwok for the kubelet unless lab_real_pods
  // With lab: real kubelets and pods (render::RenderOptions::lab_real_pods), on lab hosts whose
  // machine may run cgroup v1.
  bool lab_real_pods = false;
  // The caller holds this cluster's lock already (a drill switching tunings holds it throughout,
  // so that no other apply or drill slips in between); nullptr: apply takes it.
  const util::ClusterLock* held_lock = nullptr;
  RunnerOptions runner;
  std::chrono::seconds wait{180};
  // Under --dry-run, one line per command or write that would have happened.
  std::function<void(const std::string&)> dry_run_report = [](const std::string&) {};
};

// Preflight, then every step, over ssh to the plan's nodes (each node's `host` and ssh
// settings). Fails before touching any host when preflight finds problems; step failures are
// in the report.
util::Result<RunReport> apply(const model::Cluster& cluster, const render::Bundle& bundle,
                              const ApplyOptions& options, ProgressSink& progress);

// What a failed apply says last: each failed step with its host and whole error, and how many
// steps were not tried because of them; "" when none failed. A run has a hundred and more
// steps, so the line that failed has long scrolled by when the run ends.
std::string failure_recap(const RunReport& report);

// Reads a bundle written by render::write_bundle: <directory>/<host or "operator">/<path>,
// with the files' modes (files no one but their owner may read are secret), and render's index
// (index.json; a directory without one is refused).
util::Result<render::Bundle> load_bundle(const std::string& directory);

}  // namespace zerospof::apply
