// The built-in plan: the 5 nodes of cluster-plan.md. micklethefickle is the primary control
// plane and etcd member, cloudserver1 and cloudserver2 are workers that also run the control
// plane and etcd, cloudserver3 and blackboar are workers. The workers carry the replicated
// storage. The plan gives no node addresses (the user's servers are not known here), so the
// analysis reports what it cannot verify, such as the L2 segment a VIP needs.

#include <cstdlib>

#include "model/pinned_versions.h"
#include "plan/plan.h"

namespace zerospof::plan {

const std::string& builtin_plan_yaml() {
  static const std::string text =
      R"(# zerospof plan: the 5-node cluster of cluster-plan.md, with zero single points of failure.
# Documented field by field in docs/plan.md. Before `zerospof apply`, give each node its
# cluster-internal `address` and set `spec.endpoint.address` to a free address of the
# control-plane nodes' subnet (the VIP), or use `mode: local-proxy` when they share no L2 segment.
apiVersion: zerospof.io/v1alpha1
kind: Cluster
metadata:
  name: bolabaden
spec:
  nodes:
    - name: micklethefickle
      host: micklethefickle.bolabaden.org
      roles: [control-plane, etcd]
    - name: cloudserver1
      host: cloudserver1.bolabaden.org
      roles: [control-plane, etcd, worker, storage]
    - name: cloudserver2
      host: cloudserver2.bolabaden.org
      roles: [control-plane, etcd, worker, storage]
    - name: cloudserver3
      host: cloudserver3.bolabaden.org
      roles: [worker, storage]
    - name: blackboar
      host: blackboar.bolabaden.org
      roles: [worker, storage]
  kubernetes:
    version: )" +
      std::string(model::pinned::kKubernetesVersion) +
      R"(
    podSubnet: 10.244.0.0/16
    serviceSubnet: 10.96.0.0/12
  endpoint:
    mode: vip
    address: 198.18.0.100
    port: 6443
  network:
    cni: calico
    bgp:
      asn: 64512
      peering: full-mesh
  storage:
    provider: longhorn
    replicas: 3
  addons:
    coredns:
      replicas: 3
    ingress:
      provider: ingress-nginx
      replicas: 3
    monitoring:
      enabled: true
    serviceMesh: none
)";
  return text;
}

model::Cluster builtin_plan() {
  auto cluster = load_from_string(builtin_plan_yaml(), "<built-in plan>");
  if (!cluster) std::abort();  // a bug in this file: tests/plan/plan_loader_test.cpp loads it
  return *cluster;
}

}  // namespace zerospof::plan
