#include "plan/validate.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "plan/plan_strings.h"

namespace zerospof::plan {

namespace {

using util::Status;

class Validator {
 public:
  Validator(const model::Cluster& cluster, const SourceText& source)
      : cluster_(cluster), source_(source) {}

  Status strings_fit_their_places() const;
  Status nodes_are_unique() const;
  Status roles_are_present() const;
  Status subnets_do_not_overlap() const;
  Status endpoint_is_consistent() const;
  Status bgp_is_consistent() const;

 private:
  util::Error error(const std::string& path, std::string message, std::string hint = {}) const {
    return source_.error_at(cluster_.location_of(path), std::move(message), std::move(hint));
  }
  static std::string node_path(size_t index, std::string_view field) {
    return fmt::format("spec.nodes[{}].{}", index, field);
  }

  const model::Cluster& cluster_;
  const SourceText& source_;
};

Status Validator::strings_fit_their_places() const {
  for (const PlanString& string : plan_strings(cluster_))
    if (auto problem = check_place(string.value, string.place))
      return util::fail(error(string.path, std::move(problem->message), std::move(problem->hint)));
  return {};
}

Status Validator::nodes_are_unique() const {
  std::map<std::string, size_t> names, hosts;
  std::map<model::IpAddress, size_t> addresses;
  for (size_t i = 0; i < cluster_.nodes.size(); ++i) {
    const model::Node& node = cluster_.nodes[i];
    if (auto [it, added] = names.emplace(node.name, i); !added)
      return util::fail(error(node_path(i, "name"),
                              fmt::format("duplicate node name '{}'", node.name),
                              fmt::format("spec.nodes[{}] already uses it", it->second)));
    if (auto [it, added] = hosts.emplace(node.host, i); !added)
      return util::fail(error(node_path(i, "host"),
                              fmt::format("nodes '{}' and '{}' have the same host '{}'",
                                          cluster_.nodes[it->second].name, node.name, node.host),
                              "each node is a separate machine with its own host"));
    if (!node.address) continue;
    if (auto [it, added] = addresses.emplace(node.address->base, i); !added)
      return util::fail(error(
          node_path(i, "address"),
          fmt::format("nodes '{}' and '{}' have the same address {}",
                      cluster_.nodes[it->second].name, node.name, node.address->base.to_string())));
  }
  return {};
}

Status Validator::roles_are_present() const {
  for (model::Role role : {model::Role::kControlPlane, model::Role::kEtcd})
    if (cluster_.nodes_with_role(role).empty())
      return util::fail(error("spec.nodes",
                              fmt::format("no node has the role '{}'", model::to_string(role)),
                              "give the role to at least one node (three for high availability)"));
  return {};
}

Status Validator::subnets_do_not_overlap() const {
  const model::KubernetesSettings& kubernetes = cluster_.kubernetes;
  if (kubernetes.pod_subnet.overlaps(kubernetes.service_subnet))
    return util::fail(
        error("spec.kubernetes.serviceSubnet",
              fmt::format("serviceSubnet {} overlaps podSubnet {}",
                          kubernetes.service_subnet.to_string(), kubernetes.pod_subnet.to_string()),
              "pick two disjoint ranges"));
  for (size_t i = 0; i < cluster_.nodes.size(); ++i) {
    const auto& address = cluster_.nodes[i].address;
    if (!address) continue;
    for (const model::Cidr* subnet : {&kubernetes.pod_subnet, &kubernetes.service_subnet})
      if (subnet->contains(address->base) || subnet->overlaps(*address))
        return util::fail(error(node_path(i, "address"),
                                fmt::format("node address {} overlaps the cluster subnet {}",
                                            address->to_string(), subnet->to_string()),
                                "pod and service subnets must not overlap the nodes' network"));
  }
  return {};
}

Status Validator::endpoint_is_consistent() const {
  const model::Endpoint& endpoint = cluster_.endpoint;
  if (endpoint.mode == model::EndpointMode::kLocalProxy) {
    if (endpoint.address)
      return util::fail(error("spec.endpoint.address", "local-proxy mode has no virtual IP",
                              "remove spec.endpoint.address, or use mode: vip"));
    return {};
  }
  if (!endpoint.address)
    return util::fail(
        error("spec.endpoint", "vip mode needs spec.endpoint.address (the virtual IP)",
              "add a free address of the control-plane nodes' subnet, or use mode: local-proxy"));
  const model::IpAddress& vip = *endpoint.address;
  for (const model::Cidr* subnet :
       {&cluster_.kubernetes.pod_subnet, &cluster_.kubernetes.service_subnet})
    if (subnet->contains(vip))
      return util::fail(
          error("spec.endpoint.address", fmt::format("the VIP {} is inside the cluster subnet {}",
                                                     vip.to_string(), subnet->to_string())));
  bool any_address = false, inside = false;
  for (size_t i = 0; i < cluster_.nodes.size(); ++i) {
    const model::Node& node = cluster_.nodes[i];
    if (!node.address) continue;
    if (node.address->base == vip)
      return util::fail(
          error("spec.endpoint.address",
                fmt::format("the VIP {} is the address of node '{}'", vip.to_string(), node.name),
                "the VIP must be a free address that keepalived can move"));
    if (!node.has_role(model::Role::kControlPlane)) continue;
    any_address = true;
    inside = inside || node.address->contains(vip);
  }
  if (any_address && !inside)
    return util::fail(
        error("spec.endpoint.address",
              fmt::format("the VIP {} is outside the subnet of every control-plane node",
                          vip.to_string()),
              "VRRP moves the VIP within one L2 segment: pick a free address of the "
              "control-plane nodes' subnet, or use mode: local-proxy"));
  return {};
}

Status Validator::bgp_is_consistent() const {
  if (!cluster_.network.bgp) return {};
  const model::Bgp& bgp = *cluster_.network.bgp;
  bool reflectors = bgp.peering == model::BgpPeering::kRouteReflectors;
  if (reflectors && bgp.route_reflectors.empty())
    return util::fail(error("spec.network.bgp.peering",
                            "route-reflectors peering names no route reflector",
                            "list node names in spec.network.bgp.routeReflectors (at least two)"));
  if (!reflectors && !bgp.route_reflectors.empty())
    return util::fail(error("spec.network.bgp.routeReflectors",
                            "routeReflectors are only used with peering: route-reflectors",
                            "set peering: route-reflectors, or remove routeReflectors"));
  std::set<std::string> seen;
  for (size_t i = 0; i < bgp.route_reflectors.size(); ++i) {
    const std::string& name = bgp.route_reflectors[i];
    std::string path = fmt::format("spec.network.bgp.routeReflectors[{}]", i);
    if (cluster_.find_node(name) == nullptr)
      return util::fail(error(path,
                              fmt::format("route reflector '{}' is not a node of the plan", name),
                              "name a node from spec.nodes"));
    if (!seen.insert(name).second)
      return util::fail(error(path, fmt::format("route reflector '{}' is listed twice", name)));
  }
  return {};
}

}  // namespace

util::Status validate(const model::Cluster& cluster, const SourceText& source) {
  Validator validator(cluster, source);
  ZEROSPOF_RETURN_IF_ERROR(validator.strings_fit_their_places());
  ZEROSPOF_RETURN_IF_ERROR(validator.nodes_are_unique());
  ZEROSPOF_RETURN_IF_ERROR(validator.roles_are_present());
  ZEROSPOF_RETURN_IF_ERROR(validator.subnets_do_not_overlap());
  ZEROSPOF_RETURN_IF_ERROR(validator.endpoint_is_consistent());
  ZEROSPOF_RETURN_IF_ERROR(validator.bgp_is_consistent());
  return {};
}

}  // namespace zerospof::plan
