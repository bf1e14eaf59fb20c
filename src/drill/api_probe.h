// The Kubernetes API probe: a few clients read and update ConfigMaps through the cluster's
// endpoint (the VIP's HAProxy, every apiserver, etcd) every interval, each update a
// compare-and-set on the resourceVersion the client last read, with a value never written
// before. The whole HA path as a register history for the linearizability checker, and the
// attempts for the outage measurement.
//
// Guarantees: bounded in rate (clients x 1 / interval) and in time (every request has a timeout,
// stop() returns within one); each request is recorded invoke/ok/fail/unknown on the monotonic
// clock: a write that got no answer after it may have been sent is unknown, one that was never
// sent or was refused (409, 4xx) did not happen.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drill/record.h"
#include "observe/kubernetes.h"

namespace zerospof::drill {

struct ApiProbeOptions {
  int clients = 4;
  int keys = 2;
  std::chrono::milliseconds interval{50};
  std::chrono::milliseconds timeout{1000};
  std::string namespace_name = "default";
  std::string key_prefix = "zerospof-drill";  // ConfigMaps PREFIX-0, PREFIX-1, ...
};

class ApiProbe {
 public:
  // `clock_zero` is the drill's time origin.
  ApiProbe(observe::HttpClient& http, std::string server, ApiProbeOptions options,
           std::chrono::steady_clock::time_point clock_zero);
  ~ApiProbe();

  // Creates the ConfigMaps when missing; false when the API did not answer.
  bool prepare();
  void start();
  void stop();

  // After stop(): the attempts of reads and writes, and the register history.
  ProbeRecord writes() const;
  ProbeRecord reads() const;
  history::History history() const;
  // The value each key holds at the end (read after stop()); "" for a key that could not be read.
  std::vector<std::pair<std::string, std::string>> final_values();
  // Live counters for progress lines: ok, failed, unknown writes so far.
  std::array<std::size_t, 3> write_counts() const;

 private:
  void client_loop(int client);
  double now_ms() const;
  std::string key_name(int key) const;

  observe::KubernetesClient api_;
  const ApiProbeOptions options_;
  const std::chrono::steady_clock::time_point clock_zero_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::vector<Attempt> write_attempts_, read_attempts_;
  std::vector<history::Operation> operations_;
};

}  // namespace zerospof::drill
