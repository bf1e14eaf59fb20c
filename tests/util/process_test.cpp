#include "util/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace zerospof::util {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RunTest, CapturesStdoutStderrAndExitCode) {
  auto result = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_FALSE(result->succeeded());
}

TEST(RunTest, PassesArgumentsVerbatimWithoutAShell) {
  auto result = run({"printf", "%s|", "a b", "$HOME", ";echo x"});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "a b|$HOME|;echo x|");
}

TEST(RunTest, FeedsInput) {
  RunOptions options;
  options.input = "hello\nworld\n";
  auto result = run({"wc", "-l"}, options);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "2\n");
}

TEST(RunTest, InputToAChildThatIgnoresItDoesNotKillTheCaller) {
  RunOptions options;
  options.input = std::string(1 << 20, 'x');
  auto result = run({"true"}, options);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->succeeded());
}

TEST(RunTest, MissingProgramIsAFailedPrecondition) {
  auto result = run({"zerospof-no-such-program"});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(result.error().message.find("not installed"), std::string::npos);
}

TEST(RunTest, TimeoutKillsTheWholeProcessGroupAndOnlyIt) {
  RunOptions options;
  options.timeout = milliseconds(300);
  auto started = std::chrono::steady_clock::now();
  // The grandchild `sleep` keeps stdout open; the group kill must take it too.
  auto result = run({"sh", "-c", "sleep 30 & sleep 30"}, options);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_LT(elapsed, seconds(5));
  EXPECT_EQ(getpgrp(), getpgid(0));  // we are still alive and in our own group
}

TEST(RunCheckedTest, ErrorQuotesStderr) {
  auto result = run_checked({"sh", "-c", "echo 'bad thing happened' >&2; exit 1"});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("bad thing happened"), std::string::npos);
  EXPECT_NE(result.error().message.find("status 1"), std::string::npos);
}

TEST(RunCheckedTest, TimeoutIsKTimeout) {
  RunOptions options;
  options.timeout = milliseconds(100);
  auto result = run_checked({"sleep", "10"}, options);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kTimeout);
}

TEST(SpawnDetachedTest, StartsInItsOwnSessionAndLogs) {
  auto log = std::filesystem::temp_directory_path() /
             ("zerospof_process_test_" + std::to_string(getpid()) + ".log");
  auto pid = spawn_detached({"sh", "-c", "echo started; exec sleep 30"}, {log.string()});
  ASSERT_TRUE(pid.has_value());
  EXPECT_TRUE(process_alive(*pid));
  EXPECT_EQ(getpgid(*pid), *pid);
  EXPECT_NE(getsid(*pid), getsid(0));
  for (int i = 0; i < 100 && std::filesystem::file_size(log) == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  kill(*pid, SIGKILL);
  for (int i = 0; i < 250 && process_alive(*pid); ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_FALSE(process_alive(*pid));
  EXPECT_EQ(std::filesystem::file_size(log), 8u);  // "started\n"
  std::filesystem::remove(log);
}

TEST(SpawnDetachedTest, MissingProgramFails) {
  auto pid = spawn_detached({"zerospof-no-such-program"}, {"/dev/null"});
  EXPECT_FALSE(pid.has_value());
}

// A cgroup it cannot enter stops the program before it runs, and says why.
TEST(SpawnDetachedTest, ACgroupItCannotEnterFailsTheStart) {
  auto marker = std::filesystem::temp_directory_path() /
                ("zerospof_process_test_cgroup_" + std::to_string(getpid()));
  auto pid = spawn_detached({"touch", marker.string()},
                            {"/dev/null", {"/nonexistent/zerospof/cgroup.procs"}});
  ASSERT_FALSE(pid.has_value());
  EXPECT_NE(pid.error().message.find("No such file"), std::string::npos) << pid.error().message;
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_FALSE(std::filesystem::exists(marker));
}

// Entering a cgroup.procs file moves the program before its first instruction: a file that
// accepts the write (here a plain file standing in for cgroup.procs) lets it start.
TEST(SpawnDetachedTest, EntersTheCgroupsBeforeItStarts) {
  auto procs = std::filesystem::temp_directory_path() /
               ("zerospof_process_test_procs_" + std::to_string(getpid()));
  { std::ofstream create(procs); }
  auto pid = spawn_detached({"sleep", "5"}, {"/dev/null", {procs.string()}});
  ASSERT_TRUE(pid.has_value());
  std::ifstream written(procs);
  std::string content;
  written >> content;
  EXPECT_EQ(content, "0");  // "0": the writer itself, as cgroup.procs reads it
  kill(*pid, SIGKILL);
  std::filesystem::remove(procs);
}

// A process whose main thread has ended while another still runs shows its leader as a zombie;
// it still holds its files and locks, so it is alive. The shape of a SIGKILLed multithreaded
// apply in the middle of exiting.
TEST(ProcessAliveTest, AZombieLeaderWithALiveThreadIsAlive) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::thread([] { std::this_thread::sleep_for(seconds(20)); }).detach();
    // The main thread alone ends (pthread_exit would unwind through gtest's handlers).
    syscall(SYS_exit, 0);
  }
  auto leader_state = [&] {
    auto stat = read_process_stat("/proc/" + std::to_string(child) + "/stat");
    return stat ? stat->state : '?';
  };
  for (int i = 0; i < 250 && leader_state() != 'Z'; ++i)
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(leader_state(), 'Z');
  EXPECT_TRUE(process_alive(child));
  kill(child, SIGKILL);
  int status = 0;
  EXPECT_EQ(waitpid(child, &status, 0), child);
  EXPECT_FALSE(process_alive(child));
}

// The name in parentheses may hold spaces and parentheses of its own.
TEST(ProcessStatTest, ReadsTheStateAndParentAfterTheLastParenthesis) {
  std::string path = std::filesystem::temp_directory_path() /
                     ("zerospof_process_stat_" + std::to_string(getpid()));
  { std::ofstream(path) << "4242 (a (b) c) S 17 4242 4242 0 -1\n"; }
  auto stat = read_process_stat(path);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->parent, 17);
  { std::ofstream(path) << "4242 (cut"; }
  EXPECT_FALSE(read_process_stat(path).has_value());
  std::filesystem::remove(path);
  EXPECT_FALSE(read_process_stat(path).has_value());
  auto self = read_process_stat("/proc/self/stat");
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(self->parent, getppid());
}

TEST(ProcessAliveTest, FalseForNonsense) {
  EXPECT_FALSE(process_alive(0));
  EXPECT_FALSE(process_alive(-1));
  EXPECT_TRUE(process_alive(getpid()));
}

}  // namespace
}  // namespace zerospof::util
