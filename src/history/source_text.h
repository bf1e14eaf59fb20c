// The lines of a user's history file, checked before any parser looks at them: every line is
// valid UTF-8 without NUL bytes, so parsers and error messages never handle broken text.
// Errors point at the offending character as file:line:col (util/source_text.h: columns count
// characters), with the line for the caret display (lines longer than 300 bytes are not echoed).
// Plain functions over string views: the returned lines borrow from the caller's text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace zerospof::history {

struct SourceLine {
  std::string_view file;
  int number = 0;         // counts from 1
  std::string_view text;  // without the "\n" or "\r\n" terminator
};

// Splits `text` into lines; fails at the first byte that is not valid UTF-8 or is NUL.
util::Result<std::vector<SourceLine>> split_lines(std::string_view text, std::string_view file);

// An invalid-input error about `line` at `column` (characters, from 1).
util::Error input_error(const SourceLine& line, int column, std::string message,
                        std::string hint = {});

// The column (characters, from 1) of `part`, which must point into `line.text`.
int column_of(const SourceLine& line, std::string_view part);

}  // namespace zerospof::history
