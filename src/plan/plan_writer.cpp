// Writes a Cluster back as a plan file. Every string is double-quoted and escaped, so a value
// never changes meaning on the way back (a node named "true" or "1e3" stays a string).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "plan/plan.h"

namespace zerospof::plan {

namespace {

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void write_node(std::string& out, const model::Node& node) {
  out += fmt::format("    - name: {}\n      host: {}\n", quoted(node.name), quoted(node.host));
  if (node.address) out += fmt::format("      address: {}\n", quoted(node.address->to_string()));
  std::vector<std::string> roles;
  for (model::Role role : node.roles) roles.push_back(model::to_string(role));
  out += fmt::format("      roles: [{}]\n", fmt::join(roles, ", "));
  if (!node.zone.empty()) out += fmt::format("      zone: {}\n", quoted(node.zone));
  if (!node.power_feed.empty())
    out += fmt::format("      powerFeed: {}\n", quoted(node.power_feed));
  out += fmt::format("      ssh:\n        user: {}\n        port: {}\n", quoted(node.ssh.user),
                     node.ssh.port);
  if (!node.ssh.identity_file.empty())
    out += fmt::format("        identityFile: {}\n", quoted(node.ssh.identity_file));
  if (node.capacity)
    out += fmt::format("      capacity:\n        cpu: \"{}m\"\n        memory: \"{}\"\n",
                       node.capacity->cpu_millicores, node.capacity->memory_bytes);
}

void write_network(std::string& out, const model::Network& network) {
  out += fmt::format("  network:\n    cni: {}\n", model::to_string(network.cni));
  if (!network.bgp) return;
  out += fmt::format("    bgp:\n      asn: {}\n      peering: {}\n", network.bgp->asn,
                     model::to_string(network.bgp->peering));
  if (network.bgp->route_reflectors.empty()) return;
  out += "      routeReflectors:\n";
  for (const std::string& name : network.bgp->route_reflectors)
    out += fmt::format("        - {}\n", quoted(name));
}

std::string duration(std::int64_t ms) {
  return ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms);
}

void write_tuning(std::string& out, const model::Tuning& t) {
  out += fmt::format(
      "  tuning:\n    profile: {}\n    vrrpAdvertInterval: {}\n    lbCheckInterval: {}\n"
      "    etcdHeartbeatInterval: {}\n    etcdElectionTimeout: {}\n    leaseDuration: {}\n"
      "    renewDeadline: {}\n    retryPeriod: {}\n    nodeLeaseDuration: {}\n"
      "    nodeMonitorPeriod: {}\n    nodeMonitorGracePeriod: {}\n    evictionToleration: {}\n",
      model::to_string(t.profile), duration(t.vrrp_advert_interval_ms),
      duration(t.lb_check_interval_ms), duration(t.etcd_heartbeat_interval_ms),
      duration(t.etcd_election_timeout_ms), duration(t.lease_duration_ms),
      duration(t.renew_deadline_ms), duration(t.retry_period_ms),
      duration(t.node_lease_duration_ms), duration(t.node_monitor_period_ms),
      duration(t.node_monitor_grace_period_ms), duration(t.eviction_toleration_ms));
}

}  // namespace

std::string to_yaml(const model::Cluster& cluster) {
  std::string out = "apiVersion: zerospof.io/v1alpha1\nkind: Cluster\n";
  out += fmt::format("metadata:\n  name: {}\nspec:\n  nodes:\n", quoted(cluster.name));
  for (const model::Node& node : cluster.nodes) write_node(out, node);
  const model::KubernetesSettings& kubernetes = cluster.kubernetes;
  out += fmt::format("  kubernetes:\n    version: {}\n    podSubnet: {}\n    serviceSubnet: {}\n",
                     quoted(kubernetes.version), kubernetes.pod_subnet.to_string(),
                     kubernetes.service_subnet.to_string());
  out += fmt::format("  endpoint:\n    mode: {}\n", model::to_string(cluster.endpoint.mode));
  if (cluster.endpoint.address)
    out += fmt::format("    address: {}\n", quoted(cluster.endpoint.address->to_string()));
  out += fmt::format("    port: {}\n", cluster.endpoint.port);
  write_network(out, cluster.network);
  out += fmt::format("  storage:\n    provider: {}\n    replicas: {}\n",
                     model::to_string(cluster.storage.provider), cluster.storage.replicas);
  const model::Addons& addons = cluster.addons;
  out += fmt::format(
      "  addons:\n    coredns:\n      replicas: {}\n    ingress:\n      provider: {}\n"
      "      replicas: {}\n    monitoring:\n      enabled: {}\n    serviceMesh: {}\n",
      addons.coredns_replicas, addons.ingress_provider, addons.ingress_replicas,
      addons.monitoring_enabled, model::to_string(addons.service_mesh));
  write_tuning(out, cluster.tuning);
  return out;
}

}  // namespace zerospof::plan
