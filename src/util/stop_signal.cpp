#include "util/stop_signal.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace zerospof::util {
namespace {

// What the handler may touch: lock-free atomics and a message fixed before it was installed.
std::atomic<int> received{0};
std::atomic<const char*> message_text{nullptr};
std::atomic<std::size_t> message_length{0};
std::atomic<bool> handled[std::size(StopSignal::kSignals)]{};
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<const char*>::is_always_lock_free);

extern "C" void on_stop_signal(int number) {
  const int saved_errno = errno;
  int none = 0;
  if (received.compare_exchange_strong(none, number)) {
    const char* text = message_text.load();
    if (text != nullptr) {
      ssize_t ignored = write(STDERR_FILENO, text, message_length.load());
      (void)ignored;
    }
  }
  // The next one of any of them ends the process: their default action.
  for (std::size_t i = 0; i < std::size(StopSignal::kSignals); ++i) {
    if (!handled[i].load()) continue;
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(StopSignal::kSignals[i], &default_action, nullptr);
  }
  errno = saved_errno;
}

}  // namespace

StopSignal::StopSignal(std::string message) : message_(std::move(message)) {
  received.store(0);
  message_text.store(message_.c_str());
  message_length.store(message_.size());
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    sigaction(kSignals[i], nullptr, &previous_[i]);
    // Ignored by whoever started us (nohup, a script's background job): it stays ignored.
    const bool ignored =
        !(previous_[i].sa_flags & SA_SIGINFO) && previous_[i].sa_handler == SIG_IGN;
    handled[i].store(!ignored);
    if (!ignored) sigaction(kSignals[i], &action, nullptr);
  }
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &previous_pipe_);
}

StopSignal::~StopSignal() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    if (handled[i].load()) sigaction(kSignals[i], &previous_[i], nullptr);
    handled[i].store(false);
  }
  sigaction(SIGPIPE, &previous_pipe_, nullptr);
  message_text.store(nullptr);
}

bool StopSignal::requested() const { return received.load() != 0; }

int StopSignal::signal_number() const { return received.load(); }

}  // namespace zerospof::util
