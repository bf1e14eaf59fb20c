// Printing helpers shared by the verbs: errors to stderr as compiler-style diagnostics (colour
// only on a TTY without NO_COLOR), and the exit code that goes with them.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

#include "util/error.h"
#include "util/terminal.h"

namespace zerospof::cli {

inline int report_error(const util::Error& error) {
  std::fputs(util::format_error(error, util::color_enabled(STDERR_FILENO)).c_str(), stderr);
  return util::exit_code_for(error);
}

inline void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

}  // namespace zerospof::cli
