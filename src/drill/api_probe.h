// The Kubernetes API probe: a few streams of operations on ConfigMaps through the cluster's
// endpoint (the VIP's HAProxy, every apiserver, etcd). Each operation reads a key, then updates it
// with a compare-and-set on the resourceVersion it read, to a value never written before: the
// whole HA path as a register history for the linearizability checker, and the attempts for the
// outage measurement.
//
// Open loop (open_loop.h says why): each stream starts an operation every interval.
//
// Guarantees: OpenLoop's bounds, each operation being a read and a write (two timeouts); each
// request is recorded invoke/ok/fail/unknown on the monotonic clock: a write that got no answer
// after it may have been sent is unknown, one that was never sent or was refused (409, 4xx) did
// not happen. Each operation is a process of its own in the history.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "drill/open_loop.h"
#include "observe/kubernetes.h"

namespace zerospof::drill {

struct ApiProbeOptions {
  int clients = 4;  // streams of operations
  int keys = 2;
  std::chrono::milliseconds interval{100};  // between two starts of one stream
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
  std::array<std::size_t, 4> write_counts() const { return log_.write_counts(); }
  std::size_t skipped() const { return loop_.skipped(); }

 private:
  void run_operation(int stream, int process);
  double now_ms() const;
  std::string key_name(int key) const;

  observe::KubernetesClient api_;
  const ApiProbeOptions options_;
  const std::chrono::steady_clock::time_point clock_zero_;
  ProbeLog log_;
  OpenLoop loop_;
};

}  // namespace zerospof::drill
