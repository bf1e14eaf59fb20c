#include "util/error.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/redact.h"
#include "util/source_text.h"
#include "util/terminal.h"

namespace zerospof::util {

std::string SourceLocation::to_string() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

Error Error::invalid_input(std::string message, SourceLocation where, std::string hint) {
  return Error{ErrorCode::kInvalidInput, std::move(message), std::move(where), {}, std::move(hint)};
}

Error Error::failed_precondition(std::string message, std::string hint) {
  return Error{ErrorCode::kFailedPrecondition, std::move(message), {}, {}, std::move(hint)};
}

Error Error::unavailable(std::string message) {
  return Error{ErrorCode::kUnavailable, std::move(message), {}, {}, {}};
}

Error Error::internal(std::string message) {
  return Error{ErrorCode::kInternal, std::move(message), {}, {}, {}};
}

namespace {

// One space per character of the (escaped) text before the column, tabs kept, so the caret
// stays under the right character whatever its bytes.
std::string caret_line(std::string_view before) {
  std::string caret;
  for (std::size_t at = 0; at < before.size();) {
    caret += before[at] == '\t' ? '\t' : ' ';
    const std::size_t length = utf8_sequence_length(before, at);
    at += length == 0 ? 1 : length;
  }
  return caret + "^";
}

}  // namespace

// Messages, hints and source lines carry text from the user's files: none of its control
// characters may reach the terminal, nor any secret it holds (a kubeconfig's client-key-data).
// Long lines are cut, as a 10 MB line helps nobody.
std::string format_error(const Error& error_in, bool color) {
  Error error = error_in;
  error.message = redact_secrets(printable(error.message, 2000, "\n"));
  error.hint = redact_secrets(printable(error.hint, 2000, "\n"));
  error.source_line = redact_secrets(printable(error.source_line, 300, "\t"));
  error.where.file = printable(error.where.file, 1000);
  const char* bold = color ? "\033[1m" : "";
  const char* red = color ? "\033[1;31m" : "";
  const char* green = color ? "\033[1;32m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string out;
  if (!error.where.file.empty())
    out += fmt::format("{}{}:{} ", bold, error.where.to_string(), reset);
  out += fmt::format("{}error:{} {}\n", red, reset, error.message);
  if (error.where.known() && !error.source_line.empty()) {
    out += fmt::format("  {}\n", error.source_line);
    // The caret goes under the escaped text, which can be wider than the original; columns count
    // characters (source_text.h).
    std::string escaped_before =
        printable(std::string(before_column(error_in.source_line, error.where.column)), 300, "\t");
    out += fmt::format("  {}{}{}\n", green, caret_line(escaped_before), reset);
  }
  if (!error.hint.empty()) out += fmt::format("hint: {}\n", error.hint);
  return out;
}

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidInput:
      return 2;
    case ErrorCode::kTimeout:
      return 3;
    default:
      return 4;
  }
}

}  // namespace zerospof::util
