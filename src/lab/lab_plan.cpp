#include "lab/lab_plan.h"

#include <fmt/format.h>

namespace zerospof::lab {
namespace {

// Host names become namespace, machine and directory names: DNS labels only.
bool valid_host_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos;
}

}  // namespace

util::Result<LabState> plan_lab(const model::Cluster& plan, std::optional<int> node_count,
                                const model::Cidr& subnet) {
  int available = static_cast<int>(plan.nodes.size());
  int count = node_count.value_or(available);
  if (count < 1 || count > available) {
    return util::fail(util::Error::invalid_input(fmt::format(
        "--nodes {} is not between 1 and {}, the plan's node count", count, available)));
  }
  ZEROSPOF_ASSIGN_OR_RETURN(LabAddresses addresses,
                            allocate_addresses(subnet, static_cast<std::size_t>(count)));
  LabState state{addresses.subnet, addresses.operator_address, addresses.vip, {}};
  for (int i = 0; i < count; ++i) {
    const std::string& name = plan.nodes[static_cast<std::size_t>(i)].name;
    if (!valid_host_name(name)) {
      return util::fail(util::Error::invalid_input(
          fmt::format("node name \"{}\" cannot name a lab host", name), {},
          "lab host names are lowercase letters, digits and '-', at most 63 characters"));
    }
    state.hosts.push_back({name, i, addresses.hosts[static_cast<std::size_t>(i)]});
  }
  return state;
}

model::Cluster lab_cluster(const model::Cluster& plan, const LabState& state,
                           const std::string& identity_file) {
  model::Cluster cluster = plan;
  cluster.nodes.clear();
  cluster.locations.clear();  // positions in the user's file do not describe lab.yaml
  for (const auto& host : state.hosts) {
    model::Node node = *plan.find_node(host.name);
    node.host = host.address.to_string();
    node.address = model::Cidr{host.address, state.subnet.prefix_length};
    node.address_prefix_given = true;
    node.ssh = {"root", 22, identity_file};
    cluster.nodes.push_back(std::move(node));
  }
  if (cluster.endpoint.mode == model::EndpointMode::kVip) cluster.endpoint.address = state.vip;
  ClusterSubnets subnets = cluster_subnets(state.subnet);
  cluster.kubernetes.pod_subnet = subnets.pods;
  cluster.kubernetes.service_subnet = subnets.services;
  return cluster;
}

std::string known_hosts_text(const LabState& state,
                             const std::map<std::string, std::string>& public_keys) {
  std::string text;
  for (const auto& host : state.hosts) {
    auto key = public_keys.find(host.name);
    if (key == public_keys.end()) continue;
    text += fmt::format("{},{} {}\n", host.name, host.address.to_string(), key->second);
  }
  return text;
}

std::string hosts_file_text(const LabState& state) {
  std::string text = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n";
  for (const auto& host : state.hosts) {
    text += fmt::format("{} {}\n", host.address.to_string(), host.name);
  }
  return text;
}

}  // namespace zerospof::lab
