// The certificates the cluster needs, per component and per node, with their SANs and usages,
// issued (or reused) through Pki. Internal to render.
#pragma once

#include <map>
#include <string>

#include "model/cluster.h"
#include "render/pki.h"
#include "util/error.h"

namespace zerospof::render {

struct Certificates {
  KeyPair ca, etcd_ca, front_proxy_ca;
  KeyPair service_account;  // cert_pem holds the public key
  KeyPair apiserver, apiserver_etcd_client, apiserver_kubelet_client, front_proxy_client;
  KeyPair admin, controller_manager, scheduler, kube_proxy;
  // By node name. `node` is the kubelet's client certificate, `kubelet_serving` the one its API
  // (port 10250) serves, which the apiservers verify against the cluster CA.
  std::map<std::string, KeyPair> etcd_server, etcd_peer, node, kubelet_serving;
};

// With `lab`, node certificates also carry the group kLabNodeGroup, which the lab's RBAC lets
// do what kwok needs beyond the Node authorizer (list every node while it starts).
util::Result<Certificates> issue_certificates(const model::Cluster& cluster, const Pki& pki,
                                              bool lab);

inline constexpr const char* kLabNodeGroup = "zerospof:lab-nodes";

// The node's cluster-internal address as text ("198.18.7.11"); the node must have one.
std::string address_of(const model::Node& node);
// The n-th address of the service subnet: 1 is the ClusterIP of the `kubernetes` Service, 10
// that of CoreDNS (as kubeadm chooses).
std::string service_address(const model::Cluster& cluster, int n);

}  // namespace zerospof::render
