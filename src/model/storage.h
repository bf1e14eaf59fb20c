// Storage objects as plain values: PersistentVolumes and their ties to nodes, the claims bound to
// them and the storage classes that provision them. What may keep a pod on one node.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/error.h"

namespace zerospof::model {

// A PersistentVolume's ties to nodes: a local volume, or one whose required node affinity lists
// kubernetes.io/hostname values, can only be used on those nodes.
struct PersistentVolume {
  std::string name;
  bool local = false;                       // spec.local or spec.hostPath
  std::vector<std::string> nodes;           // hostnames its node affinity allows; empty: any node
  std::string claim_namespace, claim_name;  // spec.claimRef
  util::SourceLocation where;
};

struct PersistentVolumeClaim {
  std::string namespace_name = "default";
  std::string name;
  std::string volume_name;    // spec.volumeName: bound to this PersistentVolume
  std::string storage_class;  // spec.storageClassName
  util::SourceLocation where;
};

struct StorageClass {
  std::string name;
  std::string provisioner;
  bool is_default = false;  // storageclass.kubernetes.io/is-default-class: "true"
  util::SourceLocation where;

  // Its volumes live on the node that first used them (static local volumes, local-path,
  // OpenEBS hostpath, TopoLVM): they do not follow a pod to another node.
  bool node_local() const;
};

}  // namespace zerospof::model
