// The host firewall of each node (nftables, its own table `inet zerospof` replaced atomically,
// so the CNI's and kube-proxy's tables are never touched). Input is dropped unless it is
// loopback, part of an established flow, ICMP, SSH, or a port this node's roles serve to the
// cluster nodes that need it. Forwarded (pod) traffic is left to the CNI.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "render/context.h"
#include "render/layout.h"

namespace zerospof::render {

namespace {

struct AddressSets {
  std::vector<std::string> v4, v6;
};

AddressSets split(const std::vector<std::string>& addresses) {
  AddressSets sets;
  for (const std::string& address : addresses)
    (address.find(':') == std::string::npos ? sets.v4 : sets.v6).push_back(address);
  return sets;
}

std::vector<std::string> addresses_with(const model::Cluster& cluster,
                                        std::vector<model::Role> roles) {
  std::vector<std::string> out;
  for (const model::Node& node : cluster.nodes)
    for (model::Role role : roles)
      if (node.has_role(role)) {
        out.push_back(address_of(node));
        break;
      }
  return out;
}

std::vector<std::string> all_addresses(const model::Cluster& cluster) {
  std::vector<std::string> out;
  for (const model::Node& node : cluster.nodes) out.push_back(address_of(node));
  return out;
}

// One accept rule per address family: "ip saddr { a, b } <match> accept".
std::string allow_from(const std::vector<std::string>& sources, const std::string& match,
                       const std::string& why) {
  AddressSets sets = split(sources);
  std::string out = "    # " + why + "\n";
  if (!sets.v4.empty())
    out += fmt::format("    ip saddr {{ {} }} {} accept\n", fmt::join(sets.v4, ", "), match);
  if (!sets.v6.empty())
    out += fmt::format("    ip6 saddr {{ {} }} {} accept\n", fmt::join(sets.v6, ", "), match);
  return out;
}

std::string etcd_rules(const model::Cluster& cluster) {
  return allow_from(addresses_with(cluster, {model::Role::kEtcd, model::Role::kControlPlane}),
                    fmt::format("tcp dport {}", layout::kEtcdClientPort),
                    "etcd clients: the apiservers and the other members") +
         allow_from(addresses_with(cluster, {model::Role::kEtcd}),
                    fmt::format("tcp dport {}", layout::kEtcdPeerPort), "etcd peers");
}

std::string api_rules(const model::Cluster& cluster, const model::Node& node) {
  if (cluster.endpoint.mode == model::EndpointMode::kLocalProxy)
    // No VIP: operators and outside clients reach the apiservers themselves (the admin
    // kubeconfig names the first one), authenticated by certificates and tokens.
    return fmt::format(
        "    # the apiserver, from every client: nodes' proxies, pods, operators\n"
        "    tcp dport {} accept\n",
        apiserver_port(cluster));
  std::vector<std::string> sources = all_addresses(cluster);
  if (cluster.endpoint.address) sources.push_back(cluster.endpoint.address->to_string());
  std::string out = allow_from(sources, fmt::format("tcp dport {}", apiserver_port(cluster)),
                               "the apiserver, from every node (HAProxy, kubelets)");
  // Pods reach the apiserver through the kubernetes Service, from pod addresses.
  out +=
      allow_from({cluster.kubernetes.pod_subnet.to_string()},
                 fmt::format("tcp dport {}", apiserver_port(cluster)), "the apiserver, from pods");
  if (holds_vip(cluster, node))
    out += fmt::format(
               "    # the API endpoint on the VIP: every client of the cluster\n"
               "    tcp dport {} accept\n",
               cluster.endpoint.port) +
           allow_from(addresses_with(cluster, {model::Role::kControlPlane}), "meta l4proto 112",
                      "VRRP adverts between the VIP holders (IP protocol 112)");
  return out;
}

std::string node_rules(const model::Cluster& cluster) {
  std::vector<std::string> nodes = all_addresses(cluster);
  std::string out =
      allow_from(addresses_with(cluster, {model::Role::kControlPlane}),
                 fmt::format("tcp dport {}", layout::kKubeletPort), "kubelet API: apiservers") +
      allow_from({cluster.kubernetes.pod_subnet.to_string()},
                 fmt::format("tcp dport {}", layout::kKubeletPort),
                 "kubelet API: metrics from pods");
  if (cluster.network.cni == model::Cni::kCalico) {
    if (cluster.network.bgp) out += allow_from(nodes, "tcp dport 179", "Calico BGP sessions");
    out += allow_from(nodes, "meta l4proto 4", "Calico IP-in-IP between nodes");
    out += allow_from(nodes, "udp dport 4789", "Calico VXLAN between nodes");
    out += allow_from(nodes, "tcp dport 5473", "Calico Typha");
  } else {
    out += allow_from(nodes, "udp dport 8472", "Cilium VXLAN between nodes");
    out += allow_from(nodes, "tcp dport 4240", "Cilium health checks");
  }
  out +=
      "    # NodePort Services (the bare-metal ingress controller is one)\n"
      "    tcp dport 30000-32767 accept\n";
  return out;
}

std::string nftables_config(const model::Cluster& cluster, const model::Node& node) {
  std::string rules;
  if (node.has_role(model::Role::kEtcd)) rules += etcd_rules(cluster);
  if (node.has_role(model::Role::kControlPlane)) rules += api_rules(cluster, node);
  rules += node_rules(cluster);
  return fmt::format(
      R"(#!/usr/sbin/nft -f
# Rendered by zerospof render for {name} ({roles}). Replaces only table inet zerospof.
table inet zerospof {{}}
delete table inet zerospof
table inet zerospof {{
  chain input {{
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    ct state established,related accept
    ct state invalid drop
    # ICMP and ICMPv6 (path MTU, neighbour discovery) by number: names need /etc/protocols
    meta l4proto {{ 1, 58 }} accept
    tcp dport {ssh} accept
{rules}  }}
}}
)",
      fmt::arg("name", node.name), fmt::arg("ssh", node.ssh.port), fmt::arg("rules", rules),
      fmt::arg("roles", fmt::join(
                            [&] {
                              std::vector<std::string> names;
                              for (model::Role role : node.roles)
                                names.push_back(model::to_string(role));
                              return names;
                            }(),
                            ", ")));
}

}  // namespace

std::vector<File> nftables_files(const Context& context, const model::Node& node) {
  return {public_file(node.name, layout::kNftablesConfig, nftables_config(context.cluster, node),
                      0755)};
}

}  // namespace zerospof::render
