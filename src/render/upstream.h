// The big addons from their pinned upstream release manifests (RenderOptions::upstream_dir,
// never modified there), patched for HA on the way out: replicas from the plan and required
// anti-affinity on the hostname for the ingress controller, required anti-affinity for the
// Longhorn UI, Longhorn's replica count (StorageClass and default settings) from the plan,
// Calico's pod CIDR from the plan, and a PodDisruptionBudget for each. A patch whose target is
// missing from the upstream file is an error: a new upstream version must be looked at.
#pragma once

#include <vector>

#include "model/cluster.h"
#include "render/render.h"
#include "util/error.h"

namespace zerospof::render {

util::Result<std::vector<File>> upstream_manifests(const model::Cluster& cluster,
                                                   const RenderOptions& options);

}  // namespace zerospof::render
