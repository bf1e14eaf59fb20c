// Volume snapshots for the storage provider: the snapshot.storage.k8s.io/v1 API
// (VolumeSnapshotClass, VolumeSnapshot, VolumeSnapshotContent, as the Kubernetes CSI
// external-snapshotter v8 defines it) and its snapshot-controller, without which a
// VolumeSnapshotClass cannot even be created and no snapshot is ever taken. Kubernetes ships
// neither; zerospof renders both so that the rendered storage class set applies on a bare
// cluster. The controller runs as 2 leader-elected replicas on distinct nodes with a PDB: it
// is a controller, off the data path, whose absence delays snapshots but loses no volume.
#pragma once

#include <string>

#include "model/cluster.h"

namespace zerospof::render {

// The three CustomResourceDefinitions; "" when the plan has no storage provider.
std::string snapshot_crds_manifest(const model::Cluster& cluster);
// The snapshot-controller Deployment, its RBAC and PDB; "" without a storage provider.
std::string snapshot_controller_manifest(const model::Cluster& cluster);

}  // namespace zerospof::render
