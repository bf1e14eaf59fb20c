// Plans for tests as typed edits of the built-in plan (cluster-plan.md's five nodes, in order:
// micklethefickle control plane and etcd; cloudserver1 and cloudserver2 control plane, etcd,
// worker and storage; cloudserver3 and blackboar worker and storage), instead of string edits of
// its YAML: a test says what differs, and a misspelt node fails the test instead of silently
// editing nothing.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/cluster.h"
#include "plan/plan.h"

namespace zerospof::testing {

class PlanBuilder {
 public:
  PlanBuilder() : cluster_(plan::builtin_plan()) {}

  PlanBuilder& roles(std::string_view node_name, std::vector<model::Role> roles) {
    node(node_name).roles = std::move(roles);
    return *this;
  }
  // One per node, in node order.
  PlanBuilder& zones(const std::vector<std::string>& per_node) {
    for_each_node(per_node, [](model::Node& node, const std::string& zone) { node.zone = zone; });
    return *this;
  }
  PlanBuilder& power_feeds(const std::vector<std::string>& per_node) {
    for_each_node(per_node,
                  [](model::Node& node, const std::string& feed) { node.power_feed = feed; });
    return *this;
  }
  PlanBuilder& capacity(std::string_view node_name, std::int64_t millicores, std::int64_t bytes) {
    node(node_name).capacity = model::Capacity{millicores, bytes};
    return *this;
  }
  // Every node in 198.18.7.0/24 (.11 to .15) and the VIP at .100, on one L2 segment.
  PlanBuilder& addresses() {
    for (std::size_t i = 0; i < cluster_.nodes.size(); ++i)
      address(cluster_.nodes[i].name, "198.18.7." + std::to_string(11 + i) + "/24");
    cluster_.endpoint.address = model::IpAddress::parse("198.18.7.100");
    return *this;
  }
  PlanBuilder& address(std::string_view node_name, std::string_view cidr) {
    model::Node& edited = node(node_name);
    edited.address = model::Cidr::parse(cidr, true);
    edited.address_prefix_given = true;
    EXPECT_TRUE(edited.address) << cidr;
    return *this;
  }
  PlanBuilder& local_proxy() {
    cluster_.endpoint.mode = model::EndpointMode::kLocalProxy;
    cluster_.endpoint.address.reset();
    return *this;
  }
  PlanBuilder& coredns_replicas(int replicas) {
    cluster_.addons.coredns_replicas = replicas;
    return *this;
  }
  PlanBuilder& storage_replicas(int replicas) {
    cluster_.storage.replicas = replicas;
    return *this;
  }
  PlanBuilder& route_reflectors(std::vector<std::string> nodes) {
    EXPECT_TRUE(cluster_.network.bgp.has_value());
    if (!cluster_.network.bgp) cluster_.network.bgp.emplace();
    cluster_.network.bgp->peering = model::BgpPeering::kRouteReflectors;
    cluster_.network.bgp->route_reflectors = std::move(nodes);
    return *this;
  }

  const model::Cluster& build() const { return cluster_; }

 private:
  model::Node& node(std::string_view name) {
    for (model::Node& candidate : cluster_.nodes)
      if (candidate.name == name) return candidate;
    ADD_FAILURE() << "the built-in plan has no node " << name;
    static model::Node none;
    return none;
  }
  template <class Edit>
  void for_each_node(const std::vector<std::string>& per_node, Edit edit) {
    EXPECT_EQ(per_node.size(), cluster_.nodes.size()) << "one value per node, in node order";
    for (std::size_t i = 0; i < per_node.size() && i < cluster_.nodes.size(); ++i)
      edit(cluster_.nodes[i], per_node[i]);
  }

  model::Cluster cluster_;
};

}  // namespace zerospof::testing
