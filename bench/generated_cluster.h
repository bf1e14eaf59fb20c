// The plan the benchmarks generate: `nodes` nodes named node-0000..., 3 control-plane + etcd
// nodes, the rest workers with storage and capacity, addresses in 198.18.0.0/15. Header-only,
// shared by check_bench and live_bench so both measure the same cluster.
#pragma once

#include <fmt/format.h>

#include "model/cluster.h"

namespace zerospof::bench {

inline std::string node_name(int i) { return fmt::format("node-{:04}", i); }

inline model::Cluster generated_cluster(int nodes) {
  model::Cluster cluster;
  cluster.name = "bench";
  cluster.source_file = "<generated>";
  for (int i = 0; i < nodes; ++i) {
    model::Node node;
    node.name = node_name(i);
    node.host = node.name + ".example";
    node.address = model::Cidr::parse(fmt::format("198.18.{}.{}/15", i / 250, 1 + i % 250), true);
    node.address_prefix_given = true;
    node.capacity = model::Capacity{64000, 256LL << 30};
    if (i < 3)
      node.roles = {model::Role::kControlPlane, model::Role::kEtcd};
    else
      node.roles = {model::Role::kWorker, model::Role::kStorage};
    cluster.nodes.push_back(std::move(node));
  }
  cluster.endpoint.address = model::IpAddress::parse("198.19.255.254");
  return cluster;
}

}  // namespace zerospof::bench
