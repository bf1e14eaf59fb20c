// build_steps(): the plan, the bundle and the binary cache as a StepGraph, in phases (node
// preparation, binaries, PKI, configuration, etcd, control plane, endpoint, node agents,
// addons, verification, retirement). Internal to apply/ (apply() calls it; tests build graphs
// with it). Rolling: no two instances of one service away at once (docs/apply.md).
//
// What it reads from the bundle (the contract with render): files per host with absolute paths
// and modes; render's index (render.h: BundleIndex) for the units each host runs, the programs
// they start and their flags (the etcd client credentials are the apiserver's
// --etcd-cafile/--etcd-certfile/--etcd-keyfile, else etcd's own --trusted-ca-file/--cert-file/
// --key-file); files of the operator's machine (host "") go below `operator_dir`, never over
// the operator's own /etc. Every path, unit name and port is render/layout.h's;
// tests/apply/render_contract_test.cpp checks both sides on real bundles.
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
