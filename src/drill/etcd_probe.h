// The etcd probe: a few streams of operations on a few keys straight to etcd's members over
// mutual TLS (each member reached through a tunnel to its host's loopback, since etcd's client
// port admits only the cluster's own addresses), beside the API probe: it measures etcd's own
// failover (an election, a member gone) apart from the apiservers and HAProxy in front of it.
//
// Each operation reads a key and then writes it: most operations compare-and-set a register
// (PREFIX/0, PREFIX/1, ...) from the value they read, every third one blindly puts a value to
// PREFIX/put. Every value is unique. Like etcd's own clients, a stream stays on one member until
// a request to it fails (no answer, refused, a 5xx), then moves to the next.
//
// Guarantees: OpenLoop's bounds (each operation is two requests, two timeouts); reads are
// linearizable; each request is recorded invoke/ok/fail/unknown on the monotonic clock: a write
// that may have been sent and got no answer, or a 5xx, is unknown; one refused (4xx) or never
// sent did not happen; a compare-and-set whose comparison failed is a failed operation. Lost
// writes are counted on the registers (every acknowledged compare-and-set must be built upon or
// be the final value); a blind put overwritten unread cannot be told from a lost one, so the
// linearizability check alone judges PREFIX/put.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "drill/open_loop.h"
#include "observe/etcd_client.h"

namespace zerospof::drill {

struct EtcdProbeOptions {
  // One stream per member of a 3-member cluster, each starting an operation (two requests) every
  // 150 ms: enough to time an election to 50 ms, light enough for a small lab machine.
  int clients = 3;
  int registers = 2;
  std::chrono::milliseconds interval{150};
  std::chrono::milliseconds timeout{1000};
  std::string key_prefix = "/zerospof-drill";  // PREFIX/0, PREFIX/1, PREFIX/put
  // Added to every process number (negated for the first writes), so that this history and the
  // API probe's can be judged as one.
  int process_offset = 1'000'000;
  // The lanes' names: LANE-write, LANE-read; "workload" for the drill's own key-value workload,
  // which speaks etcd's protocol too (data_plane.h).
  std::string lane = "etcd";
};

class EtcdProbe {
 public:
  // `members`: one client per etcd member; at least one. `clock_zero`: the drill's time origin.
  EtcdProbe(observe::HttpClient& http, std::vector<observe::ServerEndpoint> members,
            EtcdProbeOptions options, std::chrono::steady_clock::time_point clock_zero);
  ~EtcdProbe();

  // Writes each key's first value (recorded); false when no member answered.
  bool prepare();
  void start();
  void stop();

  // After stop(): the LANE-write and LANE-read attempts, and the history of every key.
  ProbeRecord writes() const { return log_.writes(options_.lane + "-write"); }
  ProbeRecord reads() const { return log_.reads(options_.lane + "-read"); }
  history::History history() const { return log_.history(options_.lane + "-probe"); }
  // The value each key holds at the end; "" for a key no member could read.
  std::vector<std::pair<std::string, std::string>> final_values();
  // Deletes the probe's keys (best effort: the drill's keys must not pile up in etcd).
  void cleanup();
  std::array<std::size_t, 4> write_counts() const { return log_.write_counts(); }
  std::size_t skipped() const { return loop_.skipped(); }

 private:
  void run_operation(int stream, int process);
  double now_ms() const;
  std::vector<std::string> keys() const;
  std::string put_key() const;
  // The member `stream` talks to now, and moving it to the next after a failure.
  observe::EtcdClient& member_of(int stream);
  void fail_over(int stream, const observe::EtcdClient& failed);
  // Every member, the one most likely to answer first.
  std::vector<observe::EtcdClient*> members_by_preference();

  std::vector<observe::EtcdClient> members_;
  const EtcdProbeOptions options_;
  const std::chrono::steady_clock::time_point clock_zero_;
  std::vector<std::atomic<std::size_t>> member_of_stream_;
  ProbeLog log_;
  OpenLoop loop_;
};

}  // namespace zerospof::drill
