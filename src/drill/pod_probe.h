// The pod probe: a Deployment of the drill's own, one replica per node, whose pods show whether
// Kubernetes moves the pods of a dead worker elsewhere and how long it takes: its pods evicted
// (the node controller's grace period, then the toleration), and every replica ready again on
// the other nodes (the node turning NotReady is the monitor's event, monitor.h). In the lab kwok
// stands in for each kubelet, so a pod's start is simulated and every report says so; the eviction
// and the rescheduling are the real controller-manager's and scheduler's.
//
// Guarantees: one list of the Deployment's pods every 500 ms at most, each with a timeout; stop()
// returns within one poll; cleanup() deletes the Deployment (its pods go with it).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drill/record.h"
#include "observe/kubernetes.h"
#include "util/error.h"

namespace zerospof::drill {

struct PodProbeOptions {
  std::string namespace_name = "default";
  std::string name = "zerospof-drill-pods";  // the Deployment, and its pods' app label
  int replicas = 3;
  std::chrono::milliseconds timeout{2000};
};

class PodProbe {
 public:
  PodProbe(observe::KubernetesClient& api, PodProbeOptions options,
           std::chrono::steady_clock::time_point clock_zero);
  ~PodProbe();

  // Creates the Deployment and waits up to `limit` for every replica to be ready: the nodes
  // they run on, or what was wrong. Waits no longer once `stop_requested` says so (the operator
  // stopped the drill): an error then, and the caller cleans up.
  util::Result<std::vector<std::string>> deploy(
      std::chrono::seconds limit,
      const std::function<bool()>& stop_requested = [] { return false; });
  // From now until stop(), follows `nodes` (the fault's targets) and the pods: records each
  // node's NotReady, their pods evicted, and every replica ready on the other nodes.
  void start(std::vector<std::string> nodes);
  std::vector<Event> stop();
  // When (drill clock, ms) every replica was first ready on nodes other than the target after
  // start(); nullopt when that never happened.
  std::optional<double> rescheduled_ms() const;
  void cleanup();

  // The Deployment, as JSON (exposed for tests).
  std::string deployment_json() const;

 private:
  void watch_loop();
  double now_ms() const;

  observe::KubernetesClient& api_;
  const PodProbeOptions options_;
  const std::chrono::steady_clock::time_point clock_zero_;
  std::vector<std::string> targets_;
  std::atomic<bool> watching_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Event> events_;
  std::optional<double> rescheduled_ms_;
};

}  // namespace zerospof::drill
