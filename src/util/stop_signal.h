// StopSignal: Ctrl-C asks a long command to stop cleanly; a second one ends it at once. While a
// StopSignal lives, the first SIGINT, SIGTERM or SIGHUP (the operator's SSH session gone) is
// only recorded (and `message` is written to stderr), so the command can undo what it has done
// and keep what it has measured: a drill heals the fault in place and writes its reports
// instead of losing an hour of evidence. That first signal gives all three their default action
// back, so the next one ends the process as usual: an operator is never left without a way out.
// A signal the process was started with ignored (nohup, a script's background job) stays
// ignored. SIGPIPE is ignored while it lives: after a hang-up the pipe to `tee` or to the
// operator's terminal may be gone, and a progress line written to it must not end the process
// half way through a heal (the write fails instead). The destructor restores what was installed
// before.
//
// Guarantees: the handler only stores the signal's number and writes the message (both
// async-signal-safe); syscalls it interrupts are restarted (SA_RESTART). One StopSignal at a
// time per process.
#pragma once

#include <signal.h>

#include <iterator>
#include <string>

namespace zerospof::util {

class StopSignal {
 public:
  // `message` is written to stderr when the first signal comes; say there what stopping does
  // and what a second signal would leave behind.
  explicit StopSignal(std::string message);
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

  // True once one of kSignals came; safe to ask from any thread.
  bool requested() const;
  // The first such signal's number, 0 before it came.
  int signal_number() const;
  // What a command that stopped for it exits with, by the shells' convention: 128 + the number
  // (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
  int exit_code() const { return 128 + signal_number(); }

 private:
  std::string message_;
  struct sigaction previous_[std::size(kSignals)]{};
  struct sigaction previous_pipe_ {};
};

}  // namespace zerospof::util
