// node-bound-volume. A pod is only as movable as its volumes: a claim bound to a local
// PersistentVolume, or to one whose node affinity names a single node, can be mounted there
// only, so the pod stays Pending until that node returns; a claim of a node-local StorageClass
// (local-path, OpenEBS hostpath, static local volumes) is bound to whichever node first ran the
// pod; a writable hostPath keeps its data on the node, and a rescheduled pod starts without it.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "analysis/findings.h"

namespace zerospof::analysis {

namespace {

using Source = model::PodVolume::Source;

const model::PersistentVolume* bound_volume(const model::Manifests& all, const std::string& space,
                                            const std::string& claim) {
  for (const model::PersistentVolumeClaim& candidate : all.claims)
    if (candidate.namespace_name == space && candidate.name == claim &&
        !candidate.volume_name.empty())
      for (const model::PersistentVolume& volume : all.volumes)
        if (volume.name == candidate.volume_name) return &volume;
  for (const model::PersistentVolume& volume : all.volumes)
    if (volume.claim_namespace == space && volume.claim_name == claim) return &volume;
  return nullptr;
}

// The claim's class, or the default class when it names none.
const model::StorageClass* storage_class_of(const model::Manifests& all, const std::string& name) {
  for (const model::StorageClass& candidate : all.storage_classes)
    if (name.empty() ? candidate.is_default : candidate.name == name) return &candidate;
  return nullptr;
}

std::string claim_class(const model::Manifests& all, const std::string& space,
                        const std::string& claim) {
  for (const model::PersistentVolumeClaim& candidate : all.claims)
    if (candidate.namespace_name == space && candidate.name == claim)
      return candidate.storage_class;
  return "";
}

// The nodes a volume can be used on, when they are few enough to pin the pod: one node, or a
// local volume whatever its affinity says.
bool pins(const model::PersistentVolume& volume) {
  return volume.nodes.size() == 1 || (volume.local && !volume.nodes.empty());
}

const char* kMove =
    "replicated storage that fails over (the plan's Longhorn or Ceph StorageClass), or an "
    "application that replicates its own data across nodes";

void judge(const model::Manifests& all, const model::Workload& workload,
           const model::PodVolume& volume, std::vector<Finding>& out) {
  std::string name = workload.display_name();
  if (volume.source == Source::kHostPath) {
    if (volume.read_only) return;
    out.push_back({"node-bound-volume", name, volume.where,
                   fmt::format("volume {} is the writable hostPath {}: its data stays on the "
                               "node, and a pod rescheduled after a failure starts without it",
                               volume.name, volume.path_or_claim),
                   std::string("a PersistentVolumeClaim on ") + kMove});
    return;
  }
  if (volume.source == Source::kClaim) {
    if (const model::PersistentVolume* bound =
            bound_volume(all, workload.namespace_name, volume.path_or_claim);
        bound != nullptr && pins(*bound)) {
      out.push_back({"node-bound-volume", name, volume.where,
                     fmt::format("claim {} is bound to PersistentVolume {}, usable on {} only: "
                                 "when that node fails the pod stays Pending until it returns",
                                 volume.path_or_claim, bound->name, fmt::join(bound->nodes, ", ")),
                     std::string("a claim on ") + kMove});
      return;
    }
  }
  std::string class_name = volume.source == Source::kClaimTemplate
                               ? volume.storage_class
                               : claim_class(all, workload.namespace_name, volume.path_or_claim);
  const model::StorageClass* storage_class = storage_class_of(all, class_name);
  if (storage_class == nullptr || !storage_class->node_local()) return;
  out.push_back(
      {"node-bound-volume", name, volume.where,
       fmt::format("{} {} uses StorageClass {} ({}), whose volumes stay on the node that first "
                   "ran the pod: when that node fails the pod cannot move",
                   volume.source == Source::kClaimTemplate ? "claim template" : "claim",
                   volume.source == Source::kClaimTemplate ? volume.name : volume.path_or_claim,
                   storage_class->name, storage_class->provisioner),
       std::string("a StorageClass of ") + kMove});
}

}  // namespace

void find_node_bound_volumes(const model::Manifests& all, std::vector<Finding>& out) {
  for (const model::Workload& workload : all.workloads) {
    // A DaemonSet's pod belongs to its node anyway: its data there is the node's own.
    if (workload.kind == model::WorkloadKind::kDaemonSet) continue;
    for (const model::PodVolume& volume : workload.volumes) judge(all, workload, volume, out);
  }
}

void pin_to_volume_nodes(model::Manifests& all) {
  for (model::Workload& workload : all.workloads) {
    if (workload.kind == model::WorkloadKind::kDaemonSet) continue;
    for (const model::PodVolume& volume : workload.volumes) {
      if (volume.source != Source::kClaim) continue;
      const model::PersistentVolume* bound =
          bound_volume(all, workload.namespace_name, volume.path_or_claim);
      if (bound == nullptr || !pins(*bound)) continue;
      model::LabelRequirement on_its_nodes{"kubernetes.io/hostname",
                                           model::LabelRequirement::Operator::kIn, bound->nodes};
      // Node affinity terms are ORed, so the volume's requirement joins each of them.
      if (workload.node_affinity_terms.empty()) workload.node_affinity_terms.emplace_back();
      for (auto& term : workload.node_affinity_terms) term.push_back(on_its_nodes);
    }
  }
}

}  // namespace zerospof::analysis
