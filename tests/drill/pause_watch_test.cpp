// PauseWatch finds the windows in which the drill's own process could not run. The pause here is
// real: a child process stops this test's process (SIGSTOP) for 400 ms and continues it.
#include "drill/pause_watch.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>

namespace zerospof::drill {
namespace {

TEST(PauseWatchTest, AStoppedProcessIsSeenAsOnePauseCoveringTheStop) {
  const auto zero = std::chrono::steady_clock::now();
  PauseWatch watch(zero);
  watch.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const double stopped_at =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - zero).count();
  pid_t parent = ::getpid();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only async-signal-safe calls in the child of a threaded process.
    ::kill(parent, SIGSTOP);
    timespec stop_for{.tv_sec = 0, .tv_nsec = 400'000'000};
    ::nanosleep(&stop_for, nullptr);
    ::kill(parent, SIGCONT);
    ::_exit(0);
  }
  int child_status = 0;
  ASSERT_EQ(::waitpid(child, &child_status, 0), child);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  watch.stop();
  std::vector<Pause> pauses = watch.pauses();
  ASSERT_FALSE(pauses.empty()) << "the stop went unseen";
  double longest = 0;
  const Pause* covering = nullptr;
  for (const Pause& pause : pauses)
    if (pause.to_ms - pause.from_ms > longest) {
      longest = pause.to_ms - pause.from_ms;
      covering = &pause;
    }
  EXPECT_GE(longest, 300);
  EXPECT_GE(covering->from_ms, stopped_at - 50);
}

TEST(PauseWatchTest, StopEndsTheWatcherAndAStopWithoutAStartIsHarmless) {
  PauseWatch never_started(std::chrono::steady_clock::now());
  never_started.stop();
  EXPECT_TRUE(never_started.pauses().empty());
  PauseWatch watch(std::chrono::steady_clock::now());
  watch.start();
  watch.start();  // once is enough
  watch.stop();
  watch.stop();
}

}  // namespace
}  // namespace zerospof::drill
