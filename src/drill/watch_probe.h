// The watch probe: a watch on each of the API probe's ConfigMaps, held across the failover the way
// a controller's informer holds it (when the watch breaks, watch again from the last
// resourceVersion seen; after a 410 Gone, list again and watch from there), and the check that it
// delivered what it must: every acknowledged write once, in order, with no gap. A 410 is the API
// saying it cannot resume, which its contract allows: the writes a relist jumps over are counted
// apart (`relisted`), and only a gap nothing signalled is a failure.
//
// A watch is served by one apiserver from its cache of etcd's changes; after a failover the client
// lands on another apiserver whose cache must continue from the same revision. A gap (an event
// never delivered), a duplicate or a reordering there breaks every controller of the cluster
// silently; none of the API calls the other probes make would notice.
//
// Guarantees: one thread per key, each watch request bounded (window + 3 s) and retried at most
// every retry interval; finish() returns within its deadline. The check needs no timing: the
// API probe's values are unique and each compare-and-set names the value it replaced, so the
// order of versions is known from the history, and the delivered sequence must be exactly it.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drill/record.h"
#include "observe/kubernetes.h"

namespace zerospof::drill {

struct WatchProbeOptions {
  std::chrono::seconds window{2};        // each watch request's timeoutSeconds
  std::chrono::milliseconds retry{100};  // between a broken watch and the next
  std::chrono::seconds catch_up{15};     // finish() waits this long for the final values
};

// Not an event of the API's: where the probe listed again after a 410 Gone, with the value and
// resourceVersion it listed (the state the client holds from then on).
inline constexpr const char* kRelisted = "RELISTED";

// What one key's watch saw.
struct WatchedKey {
  std::string key;
  std::string start_value;                  // the value at the resourceVersion the watch began from
  std::vector<observe::WatchEvent> events;  // MODIFIED events, and kRelisted marks
  std::size_t requests = 0, broken = 0, expired = 0;
};

// Judges `watched` against the API `history` (register operations, keys = ConfigMap names).
WatchCheck check_watch(const std::vector<WatchedKey>& watched, const history::History& history);

class WatchProbe {
 public:
  WatchProbe(observe::HttpClient& http, std::string server, std::string namespace_name,
             std::vector<std::string> names, WatchProbeOptions options);
  ~WatchProbe();

  // Reads where each watch begins (the current resourceVersion and value); false when the API
  // did not answer. Call after the ConfigMaps have their first values and before any write.
  bool prepare();
  void start();
  // Stops once every key's watch delivered its final value (`final_values`: key, value) or the
  // catch-up time passed.
  void finish(const std::vector<std::pair<std::string, std::string>>& final_values);
  // After finish().
  std::vector<WatchedKey> watched() const;

 private:
  void watch_loop(std::size_t index);

  observe::KubernetesClient api_;
  const std::string namespace_name_;
  const WatchProbeOptions options_;
  std::vector<WatchedKey> keys_;
  std::vector<std::string> resource_versions_;  // where each watch goes on from
  std::map<std::string, std::string> final_values_;
  std::atomic<bool> finishing_{false};
  std::chrono::steady_clock::time_point deadline_;
  mutable std::mutex mutex_;
  std::vector<std::thread> threads_;
};

}  // namespace zerospof::drill
