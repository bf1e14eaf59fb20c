// Errors as values. Every fallible call that crosses a module boundary returns
// Result<T> = tl::expected<T, Error>. An Error carries a code chosen by how the caller reacts,
// a message written for the user, and, when the error is about the user's bytes, where those
// bytes are (file:line:col, the source line and a hint), so it can be printed as a compiler
// diagnostic. Error is a plain value: copyable, comparable by field, safe to share read-only.
#pragma once

#include <string>
#include <tl/expected.hpp>

namespace zerospof::util {

// Codes are chosen by the caller's reaction, not by the cause: a caller retries kUnavailable,
// tells the user to fix kInvalidInput, and so on.
enum class ErrorCode {
  kInvalidInput,        // the user's input is wrong: fix it and run again (exit 2)
  kFailedPrecondition,  // the world is not in a state we can act on: the user must fix it
  kUnavailable,         // transient: retrying the same step may succeed (apply's runner does)
  kTimeout,             // a bounded wait ran out before an answer
  kInternal,            // anything else that is not the user's fault
};

// A position in a user's file. Lines and columns count from 1; 0 means "unknown".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  std::string to_string() const;  // "file:line:col", "file:line" or "file"
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  SourceLocation where;     // optional: set when the error is about bytes in a file
  std::string source_line;  // the text of where.line, for the caret display
  std::string hint;         // optional: what to do next

  static Error invalid_input(std::string message, SourceLocation where = {}, std::string hint = {});
  static Error failed_precondition(std::string message, std::string hint = {});
  static Error unavailable(std::string message);
  static Error internal(std::string message);
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// Early return on error, as abseil's ASSIGN_OR_RETURN: `ZEROSPOF_ASSIGN_OR_RETURN(auto x, f());`
// binds the value of f() to x, or returns its error from the enclosing function.
#define ZEROSPOF_CONCAT_INNER(a, b) a##b
#define ZEROSPOF_CONCAT(a, b) ZEROSPOF_CONCAT_INNER(a, b)
#define ZEROSPOF_ASSIGN_OR_RETURN(declaration, expression)                                \
  auto ZEROSPOF_CONCAT(result_, __LINE__) = (expression);                                 \
  if (!ZEROSPOF_CONCAT(result_, __LINE__))                                                \
    return ::zerospof::util::fail(std::move(ZEROSPOF_CONCAT(result_, __LINE__)).error()); \
  declaration = std::move(*ZEROSPOF_CONCAT(result_, __LINE__))
#define ZEROSPOF_RETURN_IF_ERROR(expression)                                 \
  do {                                                                       \
    auto status_ = (expression);                                             \
    if (!status_) return ::zerospof::util::fail(std::move(status_).error()); \
  } while (false)

// "plan.yaml:3:7: error: message", then the source line and a caret under the column, then
// "hint: ...". With `color`, the location is bold and "error" red, as compilers print them.
std::string format_error(const Error& error, bool color = false);

// The process exit code documented in README.md for an error that ends a command.
int exit_code_for(const Error& error);

}  // namespace zerospof::util
