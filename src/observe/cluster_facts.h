// What the live cluster's redundancy looks like right now, asked of the hosts over the transport
// (the same SSH apply uses): who holds the VIP, which etcd member leads, whether every member and
// every apiserver is ready, and a hash of each member's key space. Every question is bounded in
// time; a host that does not answer is reported as such, never waited for.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "transport/transport.h"

namespace zerospof::observe {

struct EtcdMemberStatus {
  std::string node;
  bool answered = false;  // the member answered a status request
  bool leader = false;
  std::uint64_t revision = 0;
};

struct EtcdStatus {
  std::vector<EtcdMemberStatus> members;  // in the plan's order
  std::string leader;                     // node name; "" when no member names one
};

class ClusterFacts {
 public:
  ClusterFacts(const model::Cluster& cluster, transport::Transport& transport,
               std::chrono::milliseconds timeout = std::chrono::seconds(3));

  // The control-plane nodes whose interfaces hold the VIP (vip mode); more than one is a split
  // brain, none an endpoint down.
  std::vector<std::string> vip_holders();
  // Asked through the first etcd host that answers.
  EtcdStatus etcd_status();
  // Each member's hash of its key space at one revision all of them have (etcdctl endpoint
  // hashkv): equal hashes mean equal data. nullopt when a member did not answer.
  std::optional<std::map<std::string, std::uint32_t>> etcd_hashes();
  // The control-plane nodes whose own apiserver answers /readyz (asked on the node itself).
  std::vector<std::string> ready_apiservers();

 private:
  // etcdctl with the apiserver's client credentials and every member's endpoint, run on the
  // first etcd host that answers; its stdout.
  std::optional<std::string> etcdctl(const std::string& arguments);
  std::string node_of_endpoint(const std::string& endpoint) const;
  // The control-plane nodes on which `script` gives a result that `holds`.
  std::vector<std::string> control_plane_nodes_where(
      const std::string& script, std::chrono::milliseconds timeout,
      const std::function<bool(const transport::CommandResult&)>& holds);

  const model::Cluster& cluster_;
  transport::Transport& transport_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace zerospof::observe
