// The two halves every drill probe shares: OpenLoop, the schedule of its clients, and ProbeLog,
// what their operations left.
//
// OpenLoop runs `streams` clients, each starting an operation every interval whether or not its
// earlier ones have answered, as a service's many independent clients do. A closed-loop client
// stuck in a request to a dead node cannot notice that the endpoint recovered until its own
// timeout, so every such client measured an outage of at least one timeout after any failover,
// however fast. Each operation runs on a thread of its own and is a process of its own in the
// history (its number is given to it).
//
// Guarantees: bounded in rate (streams x 1 / interval), in concurrency (a stream holds at most
// longest_operation / interval + 1 operations in flight; a tick with none free is skipped and
// counted, never queued) and in time (stop() returns once the operations in flight end, which
// their own timeouts bound). ProbeLog is safe to fill from every operation at once.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drill/record.h"

namespace zerospof::drill {

struct OpenLoopOptions {
  int streams = 4;
  std::chrono::milliseconds interval{100};  // between two starts of one stream
  // The longest one operation can take (the sum of its requests' timeouts).
  std::chrono::milliseconds longest_operation{1000};
};

class OpenLoop {
 public:
  // `operation(stream, process)`: `process` numbers every operation of this loop from 0.
  using Operation = std::function<void(int stream, int process)>;

  OpenLoop(OpenLoopOptions options, Operation operation);
  ~OpenLoop();
  OpenLoop(const OpenLoop&) = delete;
  OpenLoop& operator=(const OpenLoop&) = delete;

  void start();
  void stop();
  // True once stop() was called: an operation may cut itself short.
  bool stopping() const { return stopping_; }
  // Ticks on which a stream had no operation free to start (the bound on concurrency reached).
  std::size_t skipped() const { return skipped_; }

 private:
  void stream_loop(int stream);

  const OpenLoopOptions options_;
  const Operation operation_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> next_process_{0};
  std::atomic<std::size_t> skipped_{0};
  std::vector<std::thread> threads_;
};

// Microseconds, as history operations count time, from the drill's milliseconds.
std::int64_t micros(double milliseconds);

// The attempts of one lane, counted by outcome and cause.
ProbeRecord record_of(std::string name, const std::vector<Attempt>& attempts);

class ProbeLog {
 public:
  // An attempt, and the history operation it contributes (none: it constrains nothing, as a read
  // that failed or a write that was refused).
  void add_read(Attempt attempt, std::optional<history::Operation> operation);
  void add_write(Attempt attempt, std::optional<history::Operation> operation);
  void add_operation(history::Operation operation);

  ProbeRecord reads(std::string name) const;
  ProbeRecord writes(std::string name) const;
  // ok, failed, unknown and conflicting writes so far, for progress lines.
  std::array<std::size_t, 4> write_counts() const;
  // Every operation, in the order they were invoked.
  history::History history(std::string source) const;

 private:
  mutable std::mutex mutex_;
  std::vector<Attempt> reads_, writes_;
  std::vector<history::Operation> operations_;
};

}  // namespace zerospof::drill
