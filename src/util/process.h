// Running other programs without a shell. `run` starts argv[0] (looked up in PATH) with exactly
// the given arguments, feeds it optional input, captures stdout and stderr, and waits at most
// `timeout`; on timeout it SIGKILLs the child's own process group (the child is made a group
// leader, so nothing else is touched) and reports kTimeout-style results, never hangs.
// `spawn_detached` starts a long-lived program (e.g. a lab host's systemd-nspawn) in its own
// session, detached from the caller so it survives it, and returns its PID.
// Both are safe to call from any thread; neither changes the caller's signal handling.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace zerospof::util {

struct RunOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::optional<std::string> input;  // written to the child's stdin, then closed
};

struct ProcessResult {
  int exit_code = -1;  // the exit status, or -1 when the child died of a signal
  int signal = 0;      // the signal that ended the child, or 0
  bool timed_out = false;
  std::string out;
  std::string err;
  bool succeeded() const { return exit_code == 0 && !timed_out; }
  // "`argv0` exited with status 3: <last line of stderr>", for error messages.
  std::string describe(const std::string& program) const;
};

// Fails only when the program cannot be started (e.g. not installed); a program that runs and
// fails is a ProcessResult with a non-zero exit_code.
Result<ProcessResult> run(const std::vector<std::string>& argv, const RunOptions& options = {});

// run(), then turns a non-zero exit or a timeout into an Error naming the program and quoting its
// stderr; returns stdout on success.
Result<std::string> run_checked(const std::vector<std::string>& argv,
                                const RunOptions& options = {});

struct SpawnOptions {
  std::string log_path;  // stdout and stderr of the program are appended here
  // cgroup.procs files the program enters before it starts, so that it and everything it starts
  // live in those cgroups from their first instruction (a write after the start would race the
  // program's own children).
  std::vector<std::string> cgroups;
};

// Starts argv in a new session, as leader of its own process group, stdin from /dev/null, and
// returns its PID. The program is not a child of the caller (double fork), so it outlives the
// caller and never becomes a zombie of it.
Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const SpawnOptions& options);

// What a /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) file says of a process or thread:
// its state letter ('R', 'S', 'T' stopped, 'Z' zombie, ...) and its parent's PID. Nothing when
// it is gone or the file does not read as one. The name in parentheses may hold spaces and
// parentheses, so the fields are read after the last ')'.
struct ProcessStat {
  char state = '?';
  pid_t parent = 0;
};
std::optional<ProcessStat> read_process_stat(const std::filesystem::path& stat_file);

// True when a process with this PID exists and one of its threads is not a zombie: a killed
// process is alive until its last thread has exited and its files and locks are released.
bool process_alive(pid_t pid);

}  // namespace zerospof::util
