// Watches who holds what while a scenario runs (the VIP, the etcd leadership, the controllers'
// leases) and which nodes are Ready, and records each change as an Event: the evidence that a
// failover path ran, or that one ran where no fault was (a node the fault did not hit turning
// NotReady: judge.h). Also the health gate: a drill starts a scenario only on a healthy cluster and
// waits for health again after the heal. Bounded: one observation round at a time, each question
// with a timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drill/record.h"
#include "observe/cluster_facts.h"
#include "observe/etcd_client.h"
#include "observe/http.h"
#include "observe/kubernetes.h"

namespace zerospof::drill {

struct Holders {
  std::vector<std::string> vip;  // nodes holding the VIP
  std::string etcd_leader;
  std::string scheduler;           // node of the kube-scheduler lease holder
  std::string controller_manager;  // node of the kube-controller-manager lease holder
};

struct Health {
  bool healthy = false;
  std::vector<std::string> problems;  // what is not healthy, for people
  Holders holders;
};

class Monitor {
 public:
  Monitor(const model::Cluster& cluster, observe::ClusterFacts& facts,
          observe::KubernetesClient& api, std::chrono::steady_clock::time_point clock_zero);
  ~Monitor();

  // Every etcd member answers and one leads, every apiserver is ready on its own node, one node
  // holds the VIP, both leases are held, the endpoint answers /readyz and every node is Ready. Not
  // `complete`: the questions stop at the first group that finds a problem.
  Health health(bool complete = true);
  // Polls health() until healthy or `limit` passes; when it never was, every problem of a last
  // complete round. `give_up` ends the wait early when it turns true (the operator stopped the
  // drill and no fault is in place to recover from).
  Health wait_healthy(std::chrono::seconds limit, const std::function<bool()>& give_up = {});

  // Records changes of the holders in the background until stop_watching(). With `etcd_http`
  // and tunnels to every member (`etcd_members`), the leadership is read from the members' own
  // status, a request to each; without them, with etcdctl over SSH, a process on a host every
  // 200 ms, which a loaded machine feels.
  void start_watching(observe::HttpClient* etcd_http = nullptr,
                      std::vector<observe::ServerEndpoint> etcd_members = {});
  std::vector<Event> stop_watching();
  void add_event(std::string kind, std::string text);

 private:
  double now_ms() const;
  void watch_loop();
  // Reads a holder every 200 ms and records an event of `kind` when it changes (and for the
  // first value when `announce_first`); nullopt from `read` means it could not be read.
  void watch_value(const std::string& kind, bool announce_first,
                   const std::function<std::optional<std::string>()>& read,
                   const std::function<std::string(const std::string&)>& describe);
  // Who holds what now, given the etcd leader already asked; a lease that cannot be read has
  // no holder.
  Holders read_holders(const std::string& etcd_leader);

  const model::Cluster& cluster_;
  observe::ClusterFacts& facts_;
  observe::KubernetesClient& api_;
  const std::chrono::steady_clock::time_point clock_zero_;
  observe::HttpClient* etcd_http_ = nullptr;
  std::vector<observe::ServerEndpoint> etcd_members_;
  std::atomic<bool> watching_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Event> events_;
};

// "cloudserver1_4f2c..." (a lease's holderIdentity) to "cloudserver1".
std::string node_of_holder(const std::string& holder_identity);

// What the monitor last saw of a node.
struct NodeSeen {
  bool ready = true;
  bool tainted_for_eviction = false;
};

// What changed on the nodes since `known` (which is updated), in the list's order, at `at_ms`: a
// "node" event when a node's readiness changed, and a "taint" event when the node controller's
// NoExecute taint appeared on it (after the node's "node" event when both changed at once). A
// node seen for the first time counts as one that was Ready and untainted: a scenario starts
// from a healthy cluster.
std::vector<Event> node_changes(std::map<std::string, NodeSeen>& known,
                                const std::vector<observe::NodeState>& nodes, double at_ms);

}  // namespace zerospof::drill
