// The drill's probes of the data plane, which run only where real pods run (a kubelet and a
// container runtime on every node: real hosts, or the lab with --real-pods; kwok's nodes run no
// container, and then none of this is measured and the report says so):
// - dns: the cluster's DNS (CoreDNS behind the kube-dns Service) answering the echo Service's
//   name with its cluster IP, asked over TCP at kube-dns's cluster IP from the nodes, as every
//   pod's resolver asks;
// - service: an HTTP echo server of the drill's own (agnhost netexec, 3 replicas spread over the
//   nodes) through its Service's cluster IP: kube-proxy's rules, the endpoints and the pod network;
// - workload-write and workload-read: a replicated key-value store of the drill's own (a 3-member
//   etcd StatefulSet, each member's data on its node's disk, as on local volumes) read and
//   written through its Service by the etcd probe's client; its history is judged with the
//   API's and etcd's: no acknowledged write lost, linearizable.
// Each is asked from this machine through the transport's tunnels to the Service's cluster IP
// on nodes the fault did not hit, in turn: what a client on those nodes sees.
//
// Guarantees: deploy() first removes what an earlier drill left (a drill killed with -9), so a
// workload never starts on another cluster's data; cleanup() removes every object and the
// workload's directories on the nodes; every API call and check bounded by its timeout.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drill/health_probe.h"
#include "model/cluster.h"
#include "observe/http.h"
#include "observe/kubernetes.h"
#include "transport/transport.h"
#include "util/error.h"

namespace zerospof::drill {

inline constexpr const char* kDnsLane = "dns";
inline constexpr const char* kServiceLane = "service";
inline constexpr const char* kWorkloadLane = "workload";  // workload-write, workload-read

struct DataPlaneOptions {
  std::string namespace_name = "default";
  std::string echo = "zerospof-drill-echo";  // the Deployment, its Service and its pods' label
  int echo_replicas = 3;
  std::string workload = "zerospof-drill-kv";  // the StatefulSet and its headless Service
  // Where each member keeps its data on its node; removed before and after a drill.
  std::string workload_directory = "/var/lib/zerospof-drill/kv";
  std::chrono::seconds ready_limit{180};
  std::chrono::milliseconds timeout{2000};
};

// Whether real pods run: every node reports a container runtime, and not kwok ("kwok-v0.7.0" is
// what kwok's nodes report). nullopt when the nodes could not be listed.
std::optional<bool> real_pods_run(observe::KubernetesClient& api,
                                  std::chrono::milliseconds timeout);

// The nodes the workload's members run on, one each: three nodes that take pods (workers),
// those without a control-plane role first (the node scenarios take them down). Fewer than
// three when the plan has fewer workers (no workload then).
std::vector<std::string> workload_nodes(const model::Cluster& cluster);

class DataPlane {
 public:
  DataPlane(const model::Cluster& cluster, transport::Transport& transport,
            observe::KubernetesClient& api, DataPlaneOptions options = {});
  ~DataPlane();

  // Removes an earlier drill's objects and data, creates the echo server and the workload with
  // their Services, and waits until every replica is ready and the Services have addresses, or
  // `stop_requested` says the operator stopped the drill (an error then; cleanup() removes them).
  util::Status deploy(const std::function<bool()>& stop_requested = [] { return false; });
  // What is not ready now (a replica, a member); empty when all is.
  std::vector<std::string> problems();
  // Polls problems() until empty, `limit` passes or `stop_requested` says so; the last problems.
  std::vector<std::string> wait_ready(
      std::chrono::seconds limit,
      const std::function<bool()>& stop_requested = [] { return false; });
  // The dns and service lanes, asked through `client_nodes` in turn (judged).
  std::vector<HealthLane> lanes(const std::vector<std::string>& client_nodes);
  // The workload's client Service through each of `client_nodes` (those that can be tunnelled
  // to); empty when the plan has no room for the workload.
  std::vector<observe::ServerEndpoint> workload_endpoints(
      const std::vector<std::string>& client_nodes);
  // Plain HTTP: the echo server and the workload are the drill's own and speak no TLS.
  observe::HttpClient& http() { return *http_; }
  bool has_workload() const { return workload_nodes_.size() == 3; }
  void cleanup();

  // The objects deploy() creates: API collection path and JSON body (exposed for tests).
  std::vector<std::pair<std::string, std::string>> objects() const;

 private:
  // The tunnels through `client_nodes` to `address`:`port` (nodes that cannot be tunnelled to
  // are left out).
  std::vector<std::string> tunnels(const std::vector<std::string>& client_nodes,
                                   const std::string& address, int port);
  // Deletes the drill's objects, waits for their pods to go (within `limit`, or until
  // `stop_requested`), then removes the members' data on their nodes.
  util::Status remove_earlier(std::chrono::seconds limit,
                              const std::function<bool()>& stop_requested);
  std::string echo_host() const;  // the echo Service's DNS name

  const model::Cluster& cluster_;
  transport::Transport& transport_;
  observe::KubernetesClient& api_;
  const DataPlaneOptions options_;
  const std::vector<std::string> workload_nodes_;
  std::unique_ptr<observe::HttpClient> http_;
  std::string dns_address_, echo_address_, workload_address_;  // cluster IPs, once deployed
};

}  // namespace zerospof::drill
