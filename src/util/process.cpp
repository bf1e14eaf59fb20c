#include "util/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "util/redact.h"

namespace zerospof::util {
namespace {

using Clock = std::chrono::steady_clock;

// argv as the char* array execvp wants, built before fork (no allocation in the child).
class ArgvArray {
 public:
  explicit ArgvArray(const std::vector<std::string>& argv) {
    for (const auto& argument : argv) pointers_.push_back(const_cast<char*>(argument.c_str()));
    pointers_.push_back(nullptr);
  }
  char* const* data() const { return pointers_.data(); }

 private:
  std::vector<char*> pointers_;
};

// A pipe whose ends close themselves; both ends are close-on-exec.
class Pipe {
 public:
  Pipe() {
    if (pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

Error start_error(const std::string& program, int error_number) {
  if (error_number == ENOENT) {
    return Error::failed_precondition(fmt::format("cannot run {}: it is not installed", program),
                                      "install it (scripts/install-deps.sh installs what "
                                      "zerospof uses) and run again");
  }
  return Error::internal(fmt::format("cannot run {}: {}", program, std::strerror(error_number)));
}

// In the child after fork: only async-signal-safe calls. Reports exec failure's errno on `report`.
[[noreturn]] void exec_child(char* const* argv, int input, int output, int error_output,
                             int report) {
  signal(SIGPIPE, SIG_DFL);
  dup2(input, STDIN_FILENO);
  dup2(output, STDOUT_FILENO);
  dup2(error_output, STDERR_FILENO);
  execvp(argv[0], argv);
  int error_number = errno;
  ssize_t ignored = write(report, &error_number, sizeof error_number);
  (void)ignored;
  _exit(127);
}

// Writes "0" (the writer itself) into each cgroup.procs file; on a failure reports its errno,
// negated (so that it is not taken for exec's), and exits, so the caller sees why the program did
// not start.
void enter_cgroups(const std::vector<const char*>& files, int report) {
  for (const char* file : files) {
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    bool entered = fd >= 0 && write(fd, "0", 1) == 1;
    int error_number = errno;
    if (fd >= 0) close(fd);
    if (entered) continue;
    error_number = -error_number;
    ssize_t ignored = write(report, &error_number, sizeof error_number);
    (void)ignored;
    _exit(127);
  }
}

// Blocks until the child has exec'd (the report pipe closes) or reports why it could not.
int read_exec_errno(Pipe& report) {
  report.close_write();
  int error_number = 0;
  ssize_t got;
  do {
    got = read(report.read_end(), &error_number, sizeof error_number);
  } while (got < 0 && errno == EINTR);
  return got == static_cast<ssize_t>(sizeof error_number) ? error_number : 0;
}

// Pumps input into the child and its output out of it until both output pipes close or the
// deadline passes. Returns false on timeout.
bool pump(Pipe& in, Pipe& out, Pipe& err, const std::string& input, Clock::time_point deadline,
          ProcessResult& result) {
  std::size_t written = 0;
  if (input.empty()) in.close_write();
  char buffer[8192];
  while (out.read_end() >= 0 || err.read_end() >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[3] = {
        {out.read_end(), POLLIN, 0}, {err.read_end(), POLLIN, 0}, {in.write_end(), POLLOUT, 0}};
    int ready = poll(fds, 3, static_cast<int>(std::min<long long>(left.count(), 100)));
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) continue;
    Pipe* pipes[2] = {&out, &err};
    std::string* sinks[2] = {&result.out, &result.err};
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        pipes[i]->close_read();
      }
    }
    if (fds[2].revents != 0) {
      ssize_t put = write(in.write_end(), input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if (put < 0 && errno != EINTR && errno != EAGAIN) written = input.size();
      if (written == input.size()) in.close_write();
    }
  }
  return true;
}

// pump() with SIGPIPE blocked in this thread, so that writing to a child that exited early
// fails with EPIPE instead of killing the caller; a SIGPIPE raised meanwhile is consumed.
bool pump_without_sigpipe(Pipe& in, Pipe& out, Pipe& err, const std::string& input,
                          Clock::time_point deadline, ProcessResult& result) {
  sigset_t sigpipe, previous;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, &previous);
  bool finished = pump(in, out, err, input, deadline, result);
  timespec no_wait{0, 0};
  while (sigtimedwait(&sigpipe, nullptr, &no_wait) == SIGPIPE) {
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return finished;
}

void record_status(int status, ProcessResult& result) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

// Waits for the child until the deadline, polling so that the wait stays bounded.
bool wait_until(pid_t pid, Clock::time_point deadline, ProcessResult& result) {
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      record_status(status, result);
      return true;
    }
    if (done < 0 && errno != EINTR) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void kill_group_and_reap(pid_t pid, ProcessResult& result) {
  kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  record_status(status, result);
  result.timed_out = true;
}

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return {};
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// A thread that is gone between listing and reading counts as a zombie.
bool thread_is_zombie(const std::filesystem::path& stat_file) {
  auto stat = read_process_stat(stat_file);
  return !stat || stat->state == 'Z' || stat->state == 'X';
}

}  // namespace

std::string ProcessResult::describe(const std::string& program) const {
  std::string what = timed_out     ? "timed out and was killed"
                     : signal != 0 ? fmt::format("was killed by signal {}", signal)
                                   : fmt::format("exited with status {}", exit_code);
  // The last line can be a file the command printed (a kubeconfig's client-key-data): redacted.
  std::string detail = redact_secrets(last_line(err));
  if (detail.empty()) detail = redact_secrets(last_line(out));
  return detail.empty() ? fmt::format("{} {}", program, what)
                        : fmt::format("{} {}: {}", program, what, detail);
}

Result<ProcessResult> run(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty()) return fail(Error::internal("run: empty command"));
  ArgvArray array(argv);
  Pipe in, out, err, report;
  if (!in.ok() || !out.ok() || !err.ok() || !report.ok()) {
    return fail(Error::internal(fmt::format("cannot create pipes: {}", std::strerror(errno))));
  }
  auto deadline = Clock::now() + options.timeout;
  pid_t pid = fork();
  if (pid < 0) return fail(start_error(argv[0], errno));
  if (pid == 0) {
    setpgid(0, 0);
    exec_child(array.data(), in.read_end(), out.write_end(), err.write_end(), report.write_end());
  }
  setpgid(pid, pid);  // also here, so that a timeout cannot race the child's own setpgid
  in.close_read();
  out.close_write();
  err.close_write();
  ProcessResult result;
  if (int error_number = read_exec_errno(report); error_number != 0) {
    wait_until(pid, Clock::now() + std::chrono::seconds(5), result);
    return fail(start_error(argv[0], error_number));
  }
  bool finished =
      pump_without_sigpipe(in, out, err, options.input.value_or(""), deadline, result) &&
      wait_until(pid, deadline, result);
  if (!finished) kill_group_and_reap(pid, result);
  return result;
}

Result<std::string> run_checked(const std::vector<std::string>& argv, const RunOptions& options) {
  ZEROSPOF_ASSIGN_OR_RETURN(ProcessResult result, run(argv, options));
  if (result.succeeded()) return std::move(result.out);
  // The program ran and said no: not transient (a timeout is a timeout).
  Error error = Error::failed_precondition(result.describe(argv[0]));
  if (result.timed_out) error.code = ErrorCode::kTimeout;
  return fail(std::move(error));
}

Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) return fail(Error::internal("spawn: empty command"));
  ArgvArray array(argv);
  int log = open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) {
    return fail(Error::failed_precondition(
        fmt::format("cannot open {}: {}", options.log_path, std::strerror(errno))));
  }
  int null_input = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<const char*> cgroup_files;  // prepared here: the child may not allocate
  for (const auto& file : options.cgroups) cgroup_files.push_back(file.c_str());
  Pipe pid_pipe, report;
  pid_t child = fork();
  if (child == 0) {
    setsid();
    pid_t grandchild = fork();
    if (grandchild == 0) {
      setpgid(0, 0);  // its own group, so that it can be signalled as one without the rest
      enter_cgroups(cgroup_files, report.write_end());
      exec_child(array.data(), null_input, log, log, report.write_end());
    }
    ssize_t ignored = write(pid_pipe.write_end(), &grandchild, sizeof grandchild);
    (void)ignored;
    _exit(0);
  }
  close(log);
  close(null_input);
  if (child < 0) return fail(start_error(argv[0], errno));
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  pid_pipe.close_write();
  pid_t grandchild = -1;
  if (read(pid_pipe.read_end(), &grandchild, sizeof grandchild) != sizeof grandchild ||
      grandchild <= 0) {
    return fail(Error::internal(fmt::format("cannot start {}", argv[0])));
  }
  if (int error_number = read_exec_errno(report); error_number < 0) {
    return fail(Error::failed_precondition(fmt::format("cannot start {} in its cgroups ({}): {}",
                                                       argv[0], fmt::join(options.cgroups, ", "),
                                                       std::strerror(-error_number))));
  } else if (error_number != 0) {
    return fail(start_error(argv[0], error_number));
  }
  return grandchild;
}

std::optional<ProcessStat> read_process_stat(const std::filesystem::path& stat_file) {
  FILE* file = std::fopen(stat_file.c_str(), "r");
  if (file == nullptr) return std::nullopt;
  char line[512] = {};
  bool got = std::fgets(line, sizeof line, file) != nullptr;
  std::fclose(file);
  const char* close_paren = got ? std::strrchr(line, ')') : nullptr;
  if (close_paren == nullptr || close_paren[1] != ' ' || close_paren[2] == '\0')
    return std::nullopt;
  ProcessStat stat{.state = close_paren[2]};
  stat.parent = static_cast<pid_t>(std::strtol(close_paren + 3, nullptr, 10));
  return stat;
}

bool process_alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  // Every thread counts, not only the leader: a killed multithreaded process shows its leader as
  // a zombie while its other threads are still exiting, and those still hold its open files
  // and locks (seen: the next apply found the killed one's cluster lock taken).
  std::error_code error;
  std::filesystem::directory_iterator threads(fmt::format("/proc/{}/task", pid), error);
  if (error) return false;
  for (const auto& thread : threads) {
    if (!thread_is_zombie(thread.path() / "stat")) return true;
  }
  return false;
}

}  // namespace zerospof::util
