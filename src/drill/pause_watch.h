// PauseWatch: when the drill's own process could not run. A probe times each request by when its
// thread saw the answer; on a starved machine (the lab's two cores under a booting host, or an
// operator's laptop) the drill's threads can wait seconds for a CPU, and every lane then shows
// an outage the cluster may never have had. A thread that wakes every 20 ms and notes each wake
// that came late by more than the threshold finds those windows, so the judge can tell the
// cluster's outage from the observer's.
//
// Guarantees: bounded (one thread, 50 wakes a second, stopped by stop() or the destructor);
// pauses are on the drill's clock, in order, each at least `threshold` long.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "drill/record.h"

namespace zerospof::drill {

class PauseWatch {
 public:
  explicit PauseWatch(std::chrono::steady_clock::time_point clock_zero,
                      std::chrono::milliseconds threshold = std::chrono::milliseconds(100));
  ~PauseWatch();
  PauseWatch(const PauseWatch&) = delete;
  PauseWatch& operator=(const PauseWatch&) = delete;

  void start();
  void stop();
  // Every pause so far.
  std::vector<Pause> pauses() const;

 private:
  void loop();

  const std::chrono::steady_clock::time_point clock_zero_;
  const std::chrono::milliseconds threshold_;
  std::atomic<bool> running_{false};
  mutable std::mutex mutex_;
  std::vector<Pause> pauses_;
  std::thread thread_;
};

}  // namespace zerospof::drill
