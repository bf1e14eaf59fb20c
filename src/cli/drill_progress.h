// The drill's progress on stderr: its phase lines, each kept, and the live state of the fault in
// place, which the drill gives every second. On a terminal the live state is one line rewritten
// in place (cut to the terminal's width, so it never wraps into a second line it cannot rewrite),
// its last state left on the screen when the next phase line comes;
// anywhere else (a log file, a pipe) every tenth is written as a line of its own, so that the
// guide's six-minute node scenarios leave 36 lines in a log, not 360.
#pragma once

#include <cstdio>
#include <string>

namespace zerospof::cli {

class DrillProgress {
 public:
  // `width`: the terminal's columns (0: not known, 80 is assumed); unused when not `terminal`.
  DrillProgress(std::FILE* out, bool terminal, int width);
  ~DrillProgress();  // a live line still shown is ended, and stays
  DrillProgress(const DrillProgress&) = delete;
  DrillProgress& operator=(const DrillProgress&) = delete;

  // For stderr: whether it is a terminal, and its width.
  static DrillProgress for_stderr();

  void line(const std::string& text);
  void live(const std::string& text);

 private:
  void end_live();
  std::FILE* out_;
  bool terminal_;
  std::size_t width_;
  bool live_shown_ = false;     // on a terminal: a live line is on the screen, without newline
  std::size_t live_calls_ = 0;  // since the last kept line
};

}  // namespace zerospof::cli
