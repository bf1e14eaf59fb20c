// The first Ctrl-C is a request the command sees; the second ends the process as Ctrl-C always
// does; whatever handled the signals before is back once the StopSignal is gone.
#include "util/stop_signal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace zerospof::util {
namespace {

// What nohup or a shell's background job does to a signal before the program starts.
void ignore(int number) {
  struct sigaction ignored {};
  ignored.sa_handler = SIG_IGN;
  sigemptyset(&ignored.sa_mask);
  sigaction(number, &ignored, nullptr);
}

TEST(StopSignalTest, NothingIsRequestedBeforeASignal) {
  StopSignal stop("stopping\n");
  EXPECT_FALSE(stop.requested());
  EXPECT_EQ(stop.signal_number(), 0);
}

TEST(StopSignalTest, TheFirstInterruptIsARequestWithTheShellsExitCode) {
  // In a child: the first signal gives SIGINT its default action back, which must not reach
  // the test runner.
  EXPECT_EXIT(
      {
        StopSignal stop("drill: stopping cleanly\n");
        raise(SIGINT);
        _exit(stop.requested() && stop.signal_number() == SIGINT && stop.exit_code() == 130 ? 7
                                                                                            : 1);
      },
      testing::ExitedWithCode(7), "drill: stopping cleanly");
}

TEST(StopSignalTest, ATerminateIsARequestToo) {
  EXPECT_EXIT(
      {
        StopSignal stop("stopping\n");
        raise(SIGTERM);
        _exit(stop.signal_number() == SIGTERM && stop.exit_code() == 143 ? 7 : 1);
      },
      testing::ExitedWithCode(7), "stopping");
}

TEST(StopSignalTest, TheSecondSignalEndsTheProcessAtOnce) {
  EXPECT_EXIT(
      {
        StopSignal stop("stopping\n");
        raise(SIGINT);
        raise(SIGINT);  // the default action: the process ends here
        _exit(0);
      },
      testing::KilledBySignal(SIGINT), "stopping");
  // A terminate after an interrupt ends it too: the operator's second try of any kind.
  EXPECT_EXIT(
      {
        StopSignal stop("stopping\n");
        raise(SIGINT);
        raise(SIGTERM);
        _exit(0);
      },
      testing::KilledBySignal(SIGTERM), "stopping");
}

TEST(StopSignalTest, AHangUpIsARequestTooSoALostSessionStillHeals) {
  EXPECT_EXIT(
      {
        StopSignal stop("stopping\n");
        raise(SIGHUP);
        _exit(stop.signal_number() == SIGHUP && stop.exit_code() == 129 ? 7 : 1);
      },
      testing::ExitedWithCode(7), "stopping");
}

// Under nohup SIGHUP is ignored: it stays so, before the first signal and after it.
TEST(StopSignalTest, ASignalIgnoredByWhoeverStartedUsStaysIgnored) {
  EXPECT_EXIT(
      {
        ignore(SIGHUP);
        StopSignal stop("stopping\n");
        raise(SIGHUP);
        const bool unseen = !stop.requested();
        raise(SIGINT);  // the first request: the others get their default action back
        raise(SIGHUP);  // but not this one
        _exit(unseen && stop.signal_number() == SIGINT ? 7 : 1);
      },
      testing::ExitedWithCode(7), "stopping");
}

// The operator's session gone: the pipe to tee is closed, and the progress written while the
// fault is healed fails instead of ending the process.
TEST(StopSignalTest, AWriteToAClosedPipeFailsInsteadOfEndingTheProcess) {
  EXPECT_EXIT(
      {
        int ends[2];
        if (pipe(ends) != 0) _exit(2);
        close(ends[0]);
        StopSignal stop("stopping\n");
        const bool failed = write(ends[1], "x", 1) < 0 && errno == EPIPE;
        _exit(failed ? 7 : 1);
      },
      testing::ExitedWithCode(7), "");
}

TEST(StopSignalTest, ThePreviousHandlersAreBackAfterwards) {
  EXPECT_EXIT(
      {
        ignore(SIGTERM);
        { StopSignal stop("stopping\n"); }
        struct sigaction now {};
        sigaction(SIGTERM, nullptr, &now);
        raise(SIGTERM);  // ignored, as before the StopSignal
        _exit(now.sa_handler == SIG_IGN ? 7 : 1);
      },
      testing::ExitedWithCode(7), "");
}

}  // namespace
}  // namespace zerospof::util
