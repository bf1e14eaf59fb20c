#include "util/source_text.h"

namespace zerospof::util {

std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  return length;
}

std::optional<InvalidByte> first_invalid_byte(std::string_view text) {
  InvalidByte position;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = text[at] == '\0' ? 0 : utf8_sequence_length(text, at);
    if (length == 0) {
      position.offset = at;
      position.nul = text[at] == '\0';
      return position;
    }
    if (text[at] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
    at += length;
  }
  return std::nullopt;
}

int column_at(std::string_view line, std::size_t byte_offset) {
  int column = 1;
  for (std::size_t at = 0; at < byte_offset && at < line.size(); ++column) {
    const std::size_t length = utf8_sequence_length(line, at);
    at += length == 0 ? 1 : length;
  }
  return column;
}

std::string_view before_column(std::string_view line, int column) {
  std::size_t at = 0;
  for (int i = 1; i < column && at < line.size(); ++i) {
    const std::size_t length = utf8_sequence_length(line, at);
    at += length == 0 ? 1 : length;
  }
  return line.substr(0, at);
}

Error source_error(std::string file, int line, int column, std::string_view line_text,
                   std::string message, std::string hint) {
  constexpr std::size_t kLongestShownLine = 300;
  Error error = Error::invalid_input(
      std::move(message), SourceLocation{std::move(file), line, column}, std::move(hint));
  if (line_text.size() <= kLongestShownLine && !first_invalid_byte(line_text))
    error.source_line = std::string(line_text);
  return error;
}

}  // namespace zerospof::util
