#include "cli/drill_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace zerospof::cli {

namespace {
constexpr std::size_t kKeptEvery = 10;  // off a terminal: one live line in ten is written
}  // namespace

DrillProgress::DrillProgress(std::FILE* out, bool terminal, int width)
    : out_(out), terminal_(terminal), width_(width > 0 ? static_cast<std::size_t>(width) : 80) {}

DrillProgress::~DrillProgress() { end_live(); }

DrillProgress DrillProgress::for_stderr() {
  // A dumb terminal cannot go back to the line's start: it gets a log's lines.
  const char* term = std::getenv("TERM");
  const bool terminal = ::isatty(STDERR_FILENO) == 1 && !(term && std::string_view(term) == "dumb");
  winsize size{};
  const int width = terminal && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
  return DrillProgress(stderr, terminal, width);
}

void DrillProgress::end_live() {
  if (!live_shown_) return;
  std::fputs("\n", out_);  // the fault's last state stays on the screen
  live_shown_ = false;
}

void DrillProgress::line(const std::string& text) {
  end_live();
  live_calls_ = 0;
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

void DrillProgress::live(const std::string& text) {
  if (!terminal_) {
    if (live_calls_++ % kKeptEvery == 0) std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
    return;
  }
  // One column is left free: a line that fills the last one wraps on some terminals.
  std::string shown = text.size() >= width_ ? text.substr(0, width_ - 1) : text;
  std::fprintf(out_, "\r\x1b[K%s", shown.c_str());
  std::fflush(out_);
  live_shown_ = true;
}

}  // namespace zerospof::cli
