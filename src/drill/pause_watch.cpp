#include "drill/pause_watch.h"

namespace zerospof::drill {

namespace {

constexpr std::chrono::milliseconds kPeriod{20};

}  // namespace

PauseWatch::PauseWatch(std::chrono::steady_clock::time_point clock_zero,
                       std::chrono::milliseconds threshold)
    : clock_zero_(clock_zero), threshold_(threshold) {}

PauseWatch::~PauseWatch() { stop(); }

void PauseWatch::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { loop(); });
}

void PauseWatch::stop() {
  running_ = false;
  if (thread_.joinable()) thread_.join();
}

std::vector<Pause> PauseWatch::pauses() const {
  std::lock_guard lock(mutex_);
  return pauses_;
}

void PauseWatch::loop() {
  using Clock = std::chrono::steady_clock;
  auto ms = [this](Clock::time_point at) {
    return std::chrono::duration<double, std::milli>(at - clock_zero_).count();
  };
  Clock::time_point last = Clock::now();
  while (running_) {
    std::this_thread::sleep_for(kPeriod);
    Clock::time_point now = Clock::now();
    // The sleep itself is kPeriod: what is beyond it (and the threshold) the thread waited for
    // a CPU, or the whole process was stopped.
    if (now - last > kPeriod + threshold_) {
      std::lock_guard lock(mutex_);
      pauses_.push_back({.from_ms = ms(last + kPeriod), .to_ms = ms(now)});
    }
    last = now;
  }
}

}  // namespace zerospof::drill
