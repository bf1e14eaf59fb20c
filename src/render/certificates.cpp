#include "render/certificates.h"

#include <algorithm>

namespace zerospof::render {

namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end())
    list.push_back(value);
}

bool is_address(const std::string& text) { return model::IpAddress::parse(text).has_value(); }

// The names a node is reached by: its name, its host (a DNS name or an address) and its cluster
// address, in that order (a reordered SAN list would reissue the certificate).
void add_node_names(CertSpec& spec, const model::Node& node) {
  add_unique(spec.dns_names, node.name);
  add_unique(is_address(node.host) ? spec.ip_addresses : spec.dns_names, node.host);
  add_unique(spec.ip_addresses, address_of(node));
}

// Every name a client may use for the API: the in-cluster names, the VIP and every
// control-plane node (one certificate for all apiservers, so any HAProxy backend verifies).
CertSpec apiserver_spec(const model::Cluster& cluster) {
  CertSpec spec{"apiserver", "kube-apiserver"};
  spec.server = true;
  spec.dns_names = {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
                    "kubernetes.default.svc.cluster.local", "localhost"};
  spec.ip_addresses = {"127.0.0.1", service_address(cluster, 1)};
  if (cluster.endpoint.address)
    add_unique(spec.ip_addresses, cluster.endpoint.address->to_string());
  for (const model::Node& node : cluster.nodes) add_node_names(spec, node);
  return spec;
}

// etcd serves and dials with the same certificate (peers are clients of each other), so both
// usages; the names are the node's own.
CertSpec etcd_spec(const model::Node& node, const std::string& kind) {
  CertSpec spec{"etcd-" + kind + "-" + node.name, node.name};
  spec.server = spec.client = true;
  spec.dns_names = {node.name, "localhost"};
  add_node_names(spec, node);
  add_unique(spec.ip_addresses, "127.0.0.1");
  return spec;
}

// The kubelet's API, reached by the apiservers at the node's address (its InternalIP) or name.
CertSpec kubelet_serving_spec(const model::Node& node) {
  CertSpec spec{"kubelet-serving-" + node.name, "system:node:" + node.name, {"system:nodes"}};
  spec.server = true;
  add_node_names(spec, node);
  return spec;
}

CertSpec client_spec(std::string file, std::string common_name,
                     std::vector<std::string> organizations = {}) {
  CertSpec spec{std::move(file), std::move(common_name), std::move(organizations)};
  spec.client = true;
  return spec;
}

util::Status issue_node_certificates(const model::Cluster& cluster, const Pki& pki, bool lab,
                                     Certificates& certs) {
  std::vector<std::string> groups{"system:nodes"};
  if (lab) groups.push_back(kLabNodeGroup);
  for (const model::Node& node : cluster.nodes) {
    if (node.has_role(model::Role::kEtcd)) {
      ZEROSPOF_ASSIGN_OR_RETURN(certs.etcd_server[node.name],
                                pki.leaf(certs.etcd_ca, etcd_spec(node, "server")));
      ZEROSPOF_ASSIGN_OR_RETURN(certs.etcd_peer[node.name],
                                pki.leaf(certs.etcd_ca, etcd_spec(node, "peer")));
    }
    // The Node authorizer recognises a node agent by exactly this subject.
    ZEROSPOF_ASSIGN_OR_RETURN(
        certs.node[node.name],
        pki.leaf(certs.ca, client_spec("node-" + node.name, "system:node:" + node.name, groups)));
    ZEROSPOF_ASSIGN_OR_RETURN(certs.kubelet_serving[node.name],
                              pki.leaf(certs.ca, kubelet_serving_spec(node)));
  }
  return {};
}

}  // namespace

std::string address_of(const model::Node& node) { return node.address->base.to_string(); }

std::string service_address(const model::Cluster& cluster, int n) {
  model::IpAddress address = cluster.kubernetes.service_subnet.network();
  int carry = n;
  for (int i = address.bit_count() / 8 - 1; i >= 0 && carry > 0; --i) {
    int sum = address.bytes[static_cast<size_t>(i)] + carry;
    address.bytes[static_cast<size_t>(i)] = static_cast<std::uint8_t>(sum & 0xff);
    carry = sum >> 8;
  }
  return address.to_string();
}

util::Result<Certificates> issue_certificates(const model::Cluster& cluster, const Pki& pki,
                                              bool lab) {
  Certificates certs;
  ZEROSPOF_ASSIGN_OR_RETURN(certs.ca, pki.ca("ca", "zerospof-" + cluster.name + "-ca"));
  ZEROSPOF_ASSIGN_OR_RETURN(certs.etcd_ca,
                            pki.ca("etcd-ca", "zerospof-" + cluster.name + "-etcd-ca"));
  ZEROSPOF_ASSIGN_OR_RETURN(
      certs.front_proxy_ca,
      pki.ca("front-proxy-ca", "zerospof-" + cluster.name + "-front-proxy-ca"));
  ZEROSPOF_ASSIGN_OR_RETURN(certs.service_account, pki.key_pair("sa"));
  ZEROSPOF_ASSIGN_OR_RETURN(certs.apiserver, pki.leaf(certs.ca, apiserver_spec(cluster)));
  ZEROSPOF_ASSIGN_OR_RETURN(
      certs.apiserver_etcd_client,
      pki.leaf(certs.etcd_ca, client_spec("apiserver-etcd-client", "kube-apiserver-etcd-client")));
  ZEROSPOF_ASSIGN_OR_RETURN(
      certs.apiserver_kubelet_client,
      pki.leaf(certs.ca, client_spec("apiserver-kubelet-client", "kube-apiserver-kubelet-client",
                                     {"system:masters"})));
  ZEROSPOF_ASSIGN_OR_RETURN(
      certs.front_proxy_client,
      pki.leaf(certs.front_proxy_ca, client_spec("front-proxy-client", "front-proxy-client")));
  ZEROSPOF_ASSIGN_OR_RETURN(
      certs.admin, pki.leaf(certs.ca, client_spec("admin", "zerospof-admin", {"system:masters"})));
  ZEROSPOF_ASSIGN_OR_RETURN(
      certs.controller_manager,
      pki.leaf(certs.ca, client_spec("controller-manager", "system:kube-controller-manager")));
  ZEROSPOF_ASSIGN_OR_RETURN(certs.scheduler,
                            pki.leaf(certs.ca, client_spec("scheduler", "system:kube-scheduler")));
  // The subject the built-in ClusterRoleBinding system:node-proxier grants what kube-proxy reads.
  ZEROSPOF_ASSIGN_OR_RETURN(certs.kube_proxy,
                            pki.leaf(certs.ca, client_spec("kube-proxy", "system:kube-proxy")));
  ZEROSPOF_RETURN_IF_ERROR(issue_node_certificates(cluster, pki, lab, certs));
  return certs;
}

}  // namespace zerospof::render
