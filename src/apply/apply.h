// apply: brings real hosts to a rendered Bundle. build_steps() turns the plan, the bundle and the
// binary cache into a StepGraph (phases: node preparation, binaries, PKI, configuration, etcd,
// control plane, endpoint, node agents, addons, verification); run_steps() (runner.h) executes
// it. preflight() (preflight.h) looks at every host before anything is touched.
//
// What apply reads from the bundle (the contract with render, see docs/apply.md): files per
// host with absolute paths and modes; units in /etc/systemd/system (zerospof-*.service, plus
// haproxy.service / keepalived.service when their configuration is in the bundle); binaries as
// /usr/local/bin/NAME mentioned in a host's files; the etcd client credentials as the
// apiserver's --etcd-cafile/--etcd-certfile/--etcd-keyfile, else etcd's own --trusted-ca-file/
// --cert-file/--key-file; files of the operator's machine (host "") are written below
// `operator_dir`, never over the operator's own /etc. Every path, unit name and port is
// render/layout.h's; tests/apply/render_contract_test.cpp checks both sides on real bundles.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "apply/step_graph.h"
#include "binaries/binary_cache.h"
#include "model/cluster.h"
#include "render/render.h"

namespace zerospof::apply {

// The binary cache (binaries/binary_cache.h): what apply installs is what its manifest pins.
using binaries::Binary;

struct ApplyInputs {
  const model::Cluster& cluster;
  const render::Bundle& bundle;
  std::vector<Binary> binaries;
  std::string operator_dir;        // where files for host "" go on this machine
  std::string kubectl;             // this machine's kubectl, for the checks through the API
  std::chrono::seconds wait{180};  // bound of each wait for a service or the cluster
};

util::Result<StepGraph> build_steps(const ApplyInputs& inputs);

}  // namespace zerospof::apply

#include "apply/progress.h"
#include "apply/runner.h"

namespace zerospof::apply {

struct ApplyOptions {
  std::string binary_cache;  // a directory with `manifest` and the binaries it lists
  std::string known_hosts;   // for ssh; empty: the user's own
  std::string state_dir;     // the journal and the operator's files live here
  bool dry_run = false;      // run() goes to a recorder, check() still reads the hosts
  bool lab = false;  // lab hosts: kwok for the kubelet, swap tolerated, no kernel modules needed
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

// Reads a bundle written by render::write_bundle: <directory>/<host or "operator">/<path>,
// with the files' modes; files no one but their owner may read are secret.
util::Result<render::Bundle> load_bundle(const std::string& directory);

}  // namespace zerospof::apply
