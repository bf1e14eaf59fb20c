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
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<const char*>::is_always_lock_free);

void give_back_default(int number) {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(number, &default_action, nullptr);
}

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
  give_back_default(SIGINT);
  give_back_default(SIGTERM);
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
  sigaction(SIGINT, &action, &previous_interrupt_);
  sigaction(SIGTERM, &action, &previous_terminate_);
}

StopSignal::~StopSignal() {
  sigaction(SIGINT, &previous_interrupt_, nullptr);
  sigaction(SIGTERM, &previous_terminate_, nullptr);
  message_text.store(nullptr);
}

bool StopSignal::requested() const { return received.load() != 0; }

int StopSignal::signal_number() const { return received.load(); }

}  // namespace zerospof::util
