#include "analysis/addons.h"

namespace zerospof::analysis {

namespace {

using model::ServiceClass;
using model::Workload;

struct AddonSpec {
  const char* namespace_name;
  const char* name;
  ServiceClass service_class;
  int replicas;
  const char* node_selector_key = nullptr;  // e.g. storage nodes only
  bool daemon = false;
  bool tolerates_control_plane = false;
};

Workload make_workload(const AddonSpec& spec) {
  Workload workload;
  workload.kind = spec.daemon ? model::WorkloadKind::kDaemonSet : model::WorkloadKind::kDeployment;
  workload.namespace_name = spec.namespace_name;
  workload.name = spec.name;
  workload.service_class = spec.service_class;
  workload.replicas = spec.replicas;
  workload.pod_labels = {{"app.kubernetes.io/name", spec.name}};
  if (spec.node_selector_key) workload.node_selector[spec.node_selector_key] = "true";
  if (spec.tolerates_control_plane) workload.tolerations.push_back({"", true, "", ""});
  if (!spec.daemon && spec.replicas > 1) workload.spread.required_key = model::SpreadKey::kHostname;
  workload.has_readiness_probe = workload.has_liveness_probe = true;
  workload.deployed_by_zerospof = true;
  workload.where = {"<zerospof render>", 0, 0};
  return workload;
}

model::DisruptionBudget budget_for(const Workload& workload) {
  model::DisruptionBudget budget;
  budget.namespace_name = workload.namespace_name;
  budget.name = workload.name;
  budget.selector.match_labels = workload.pod_labels;
  budget.max_unavailable = 1;
  budget.where = workload.where;
  return budget;
}

std::vector<AddonSpec> addon_specs(const model::Cluster& cluster) {
  const model::Addons& addons = cluster.addons;
  std::vector<AddonSpec> specs{
      {"kube-system", "coredns", ServiceClass::kDataPath, addons.coredns_replicas},
  };
  // As render deploys it (render/manifests.cpp): ingress-nginx's controller in its namespace.
  // Render deploys no other provider, so another is modelled under its own name.
  if (addons.ingress_replicas > 0 && addons.ingress_provider == "ingress-nginx")
    specs.push_back({"ingress-nginx", "ingress-nginx-controller", ServiceClass::kDataPath,
                     addons.ingress_replicas});
  else if (addons.ingress_replicas > 0)
    specs.push_back({"ingress", addons.ingress_provider.c_str(), ServiceClass::kDataPath,
                     addons.ingress_replicas});
  if (cluster.network.cni == model::Cni::kCalico) {
    // calico-kube-controllers must run as one instance (upstream); it is a controller whose
    // absence while rescheduled only delays IPAM garbage collection and policy sync.
    specs.push_back({"kube-system", "calico-kube-controllers", ServiceClass::kController, 1});
    specs.push_back(
        {"kube-system", "calico-node", ServiceClass::kDataPath, 0, nullptr, true, true});
  } else {
    specs.push_back({"kube-system", "cilium-operator", ServiceClass::kController, 2});
    specs.push_back({"kube-system", "cilium", ServiceClass::kDataPath, 0, nullptr, true, true});
  }
  if (cluster.storage.provider == model::StorageProvider::kLonghorn) {
    specs.push_back({"longhorn-system", "longhorn-manager", ServiceClass::kDataPath, 0,
                     "node.longhorn.io/create-default-disk", true});
    // The CSI sidecars longhorn-driver-deployer creates at run time, 3 replicas each (Longhorn's
    // default), under the names the cluster will show.
    for (const char* sidecar :
         {"csi-attacher", "csi-provisioner", "csi-resizer", "csi-snapshotter"})
      specs.push_back({"longhorn-system", sidecar, ServiceClass::kController, 3});
  } else if (cluster.storage.provider == model::StorageProvider::kRookCeph) {
    specs.push_back({"rook-ceph", "rook-ceph-operator", ServiceClass::kController, 1});
    specs.push_back({"rook-ceph", "rook-ceph-mgr", ServiceClass::kController, 2});
  }
  if (cluster.storage.provider != model::StorageProvider::kNone)
    // render/snapshots.h: leader-elected; while it is away snapshots wait, volumes do not.
    specs.push_back({"kube-system", "snapshot-controller", ServiceClass::kController, 2});
  if (addons.monitoring_enabled) {
    specs.push_back({"monitoring", "prometheus", ServiceClass::kObservability, 2});
    specs.push_back({"monitoring", "alertmanager", ServiceClass::kObservability, 3});
    specs.push_back({"monitoring", "grafana", ServiceClass::kObservability, 2});
    specs.push_back({"monitoring", "kube-state-metrics", ServiceClass::kObservability, 2});
  }
  if (addons.service_mesh == model::ServiceMesh::kLinkerd) {
    specs.push_back({"linkerd", "linkerd-destination", ServiceClass::kController, 3});
    specs.push_back({"linkerd", "linkerd-identity", ServiceClass::kController, 3});
    specs.push_back({"linkerd", "linkerd-proxy-injector", ServiceClass::kController, 3});
  } else if (addons.service_mesh == model::ServiceMesh::kIstio) {
    specs.push_back({"istio-system", "istiod", ServiceClass::kController, 3});
  }
  return specs;
}

}  // namespace

std::vector<int> storage_nodes(const model::Cluster& cluster) {
  std::vector<int> nodes;
  bool any_storage = !cluster.nodes_with_role(model::Role::kStorage).empty();
  for (size_t i = 0; i < cluster.nodes.size(); ++i)
    if (cluster.nodes[i].has_role(any_storage ? model::Role::kStorage : model::Role::kWorker))
      nodes.push_back(static_cast<int>(i));
  return nodes;
}

model::Manifests deployed_addons(const model::Cluster& cluster) {
  model::Manifests manifests;
  for (const AddonSpec& spec : addon_specs(cluster)) {
    Workload workload = make_workload(spec);
    if (!spec.daemon) manifests.budgets.push_back(budget_for(workload));
    manifests.workloads.push_back(std::move(workload));
  }
  return manifests;
}

}  // namespace zerospof::analysis
