// How to talk to a person's terminal: colour only when the stream is a TTY and NO_COLOR is not
// set (https://no-color.org), a Style that turns into escape codes or into nothing, and
// printable(), which makes text read from a user's file safe to echo (no escape sequence of the
// input reaches the terminal). Stateless: every answer is computed from the arguments, the file
// descriptor and the environment.
#pragma once

#include <string>
#include <string_view>

namespace zerospof::util {

// True when `fd` is a terminal, NO_COLOR is unset or empty, and TERM is not "dumb".
bool color_enabled(int fd);

// `text` with every control character (C0 but those in `keep`, DEL, and C1 written in UTF-8) as
// \xNN, and cut after `limit` bytes with "..." appended: echoing it cannot move the cursor,
// change colours, retitle the window or forge lines.
std::string printable(std::string_view text, size_t limit = 200, std::string_view keep = {});

class Style {
 public:
  explicit Style(bool color) : color_(color) {}
  bool color() const { return color_; }
  std::string red(std::string_view text) const { return wrap("1;31", text); }
  std::string green(std::string_view text) const { return wrap("1;32", text); }
  std::string yellow(std::string_view text) const { return wrap("1;33", text); }
  std::string bold(std::string_view text) const { return wrap("1", text); }
  std::string dim(std::string_view text) const { return wrap("2", text); }
  // Green, yellow or red for severity 0 (fine), 1 (degraded) or 2 and above (down).
  std::string by_severity(int severity, std::string_view text) const {
    return severity <= 0 ? green(text) : severity == 1 ? yellow(text) : red(text);
  }

 private:
  std::string wrap(std::string_view code, std::string_view text) const;
  bool color_;
};

}  // namespace zerospof::util
