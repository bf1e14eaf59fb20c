// What the live cluster's redundancy looks like right now, asked of the hosts over the transport
// (the same SSH apply uses): who holds the VIP, which etcd member leads, whether every member and
// every apiserver is ready, and a hash of each member's key space. Every question is bounded in
// time; a host that does not answer is reported as such, never waited for.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/cluster.h"
#include "observe/etcd_client.h"
#include "observe/http.h"
#include "transport/transport.h"
#include "util/error.h"

namespace zerospof::observe {

struct EtcdMemberStatus {
  std::string node;
  bool answered = false;  // the member answered a status request
  bool leader = false;
  std::uint64_t member_id = 0;  // etcd's id of the member (0: it did not answer)
  std::uint64_t revision = 0;
  std::uint64_t raft_term = 0;
  std::uint64_t raft_index = 0;
  std::uint64_t database_bytes = 0;
  std::vector<std::string> errors;  // what the member reports wrong with itself
};

struct EtcdStatus {
  std::vector<EtcdMemberStatus> members;  // in the plan's order
  std::string leader;                     // node name; "" when no member names one
  // Filled by etcd_cluster() only: the members etcd itself lists (a member removed by hand is
  // missing here though the plan has it) and its alarms ("NOSPACE on cloudserver1").
  std::vector<std::string> listed;
  std::vector<std::string> alarms;
};

// `etcdctl endpoint status -w json` into `status`'s members; `node_of` maps an endpoint URL to
// its node. Exposed for tests.
void parse_endpoint_status(const std::string& json_text,
                           const std::function<std::string(const std::string&)>& node_of,
                           EtcdStatus& status);
// `etcdctl member list -w json`: the members' names.
std::vector<std::string> parse_member_names(const std::string& json_text);

class ClusterFacts {
 public:
  ClusterFacts(const model::Cluster& cluster, transport::Transport& transport,
               std::chrono::milliseconds timeout = std::chrono::seconds(3));

  // The control-plane nodes whose interfaces hold the VIP (vip mode); more than one is a split
  // brain, none an endpoint down. Each host gets `timeout` at most (capped by the facts'
  // timeout): short for watching a failover, the full timeout for judging health on a loaded
  // machine.
  std::vector<std::string> vip_holders(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  // vip_holders(), or nullopt when no host that answered holds the VIP and some host did not
  // answer: that one may hold it, so "nobody holds the VIP" would be a guess. For watching the
  // VIP on a loaded machine, where a holder's answer can come late.
  std::optional<std::vector<std::string>> vip_holders_if_known(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  // Whether `node`'s interfaces hold the VIP; nullopt when it did not answer within `timeout`
  // (capped by the facts' timeout). One host's question, for watching the holder alone.
  std::optional<bool> holds_vip(
      const std::string& node, std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  // Asked from the control-plane hosts in turn until one sees a majority of the members answer:
  // a host cut off from its peers sees only its own member, which would read as quorum lost.
  // When none does, the view in which the most members answered.
  EtcdStatus etcd_status();
  // etcd_status(), and the member list and alarms (one more round trip each).
  EtcdStatus etcd_cluster();
  // Each member's hash of its key space at one revision all of them have (etcdctl endpoint
  // hashkv): equal hashes mean equal data. nullopt when a member did not answer.
  std::optional<std::map<std::string, std::uint32_t>> etcd_hashes();
  // Hands etcd's leadership to `node`'s member (etcdctl move-leader: the leader stops taking
  // proposals and tells the member to campaign at once, so the cluster never waits out an
  // election timeout), then waits until the members name it leader, at most `limit`. For the
  // drill's primary-down, whose target must hold the VIP and lead etcd at once. Done at once
  // when it leads already.
  util::Status move_etcd_leader(const std::string& node, std::chrono::milliseconds limit);
  // The control-plane nodes whose own apiserver answers /readyz (asked on the node itself).
  std::vector<std::string> ready_apiservers();

  // The apiservers' etcd client certificate and key and etcd's CA, read from the first
  // control-plane host that has all three: the credentials of a client of etcd on this machine
  // (the drill's etcd probe). They stay in memory.
  util::Result<TlsCredentials> etcd_client_credentials();
  // Every etcd member, reached through a tunnel to its host's loopback (etcd's client port admits
  // only the cluster's own addresses); the members that cannot be tunnelled to are left out and
  // named in `unreachable`.
  std::vector<ServerEndpoint> etcd_endpoints(std::vector<std::string>* unreachable = nullptr);
  // Every control-plane node's own apiserver, through a tunnel to its host's loopback (the
  // apiserver port admits only the cluster's addresses), as an https base URL and socket.
  std::vector<ServerEndpoint> apiserver_endpoints(std::vector<std::string>* unreachable = nullptr);

 private:
  // etcdctl with the apiserver's client credentials and every member's endpoint, run on the
  // first control-plane host that answers (the one that answered last tried first); its stdout.
  std::optional<std::string> etcdctl(const std::string& arguments);
  // The control-plane nodes, the one whose etcdctl answered last first: a dead host costs each
  // question a timeout (3 s), which made the drill see an election seconds after it happened.
  std::vector<const model::Node*> control_plane_answering_first();
  void answered_on(const std::string& node);
  // The same command, run on `node`; its stdout, nullopt when it printed nothing.
  std::optional<std::string> etcdctl_on(const model::Node& node, const std::string& arguments);
  std::string node_of_endpoint(const std::string& endpoint) const;
  // The shell test that succeeds on a host holding the VIP; nullopt when the plan has none.
  std::optional<std::string> vip_script() const;
  // A tunnel to `port` on each node with `role`, as https://127.0.0.1:PORT.
  std::vector<ServerEndpoint> tunnels_to(model::Role role, int port,
                                         std::vector<std::string>* unreachable);
  // Each control-plane node, every one asked at once, with what `answer` makes of the result
  // of `script` there: yes, no, or nullopt for no answer (also when the host gave none).
  std::vector<std::pair<std::string, std::optional<bool>>> ask_control_plane(
      const std::string& script, std::chrono::milliseconds timeout,
      const std::function<std::optional<bool>(const transport::CommandResult&)>& answer);
  // The control-plane nodes on which `script` gives a result that `holds`.
  std::vector<std::string> control_plane_nodes_where(
      const std::string& script, std::chrono::milliseconds timeout,
      const std::function<bool(const transport::CommandResult&)>& holds);

  const model::Cluster& cluster_;
  transport::Transport& transport_;
  const std::chrono::milliseconds timeout_;
  std::mutex answering_mutex_;  // the drill's watchers ask from several threads
  std::string answering_;
};

}  // namespace zerospof::observe
