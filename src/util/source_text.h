// Text from a user's file, checked and measured one way in every module: valid UTF-8 without NUL
// bytes (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), lines split at
// "\n" (a "\r" before it dropped), and columns counted in characters (code points) from 1, as
// editors count them; and the error that points at a place in it, with the line for the caret
// display of format_error().
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace zerospof::util {

// The length of the UTF-8 sequence at text[at] (1 to 4), or 0 when it is not valid UTF-8.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at);

struct InvalidByte {
  std::size_t offset = 0;  // into the text
  int line = 1;            // where it is, as an editor shows it
  int column = 1;
  bool nul = false;  // a NUL byte rather than broken UTF-8
};
// The first byte of `text` that is NUL or not valid UTF-8; nullopt when the text is clean.
std::optional<InvalidByte> first_invalid_byte(std::string_view text);

// The column (characters, from 1) of the byte at `byte_offset` in `line`.
int column_at(std::string_view line, std::size_t byte_offset);
// The bytes of `line` before `column` (characters, from 1).
std::string_view before_column(std::string_view line, int column);

// An invalid-input error at file:line:column about `line_text`, which is kept for the caret
// display unless it is longer than 300 bytes or not clean UTF-8 (it would not help).
Error source_error(std::string file, int line, int column, std::string_view line_text,
                   std::string message, std::string hint = {});

}  // namespace zerospof::util
