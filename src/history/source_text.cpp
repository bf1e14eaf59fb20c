#include "history/source_text.h"

#include <fmt/format.h>

namespace zerospof::history {
namespace {

// Length of the UTF-8 sequence starting at text[at], or 0 when it is not valid UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
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
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  return length;
}

// The offset of the first invalid byte of `text`, or npos.
std::size_t first_invalid_byte(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    if (text[at] == '\0') return at;
    const std::size_t length = utf8_sequence_length(text, at);
    if (length == 0) return at;
    at += length;
  }
  return std::string_view::npos;
}

}  // namespace

util::Result<std::vector<SourceLine>> split_lines(std::string_view text, std::string_view file) {
  std::vector<SourceLine> lines;
  int number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SourceLine source{file, ++number, line};
    if (const std::size_t bad = first_invalid_byte(line); bad != std::string_view::npos) {
      const char* what = line[bad] == '\0' ? "a NUL byte" : "a byte that is not valid UTF-8";
      return util::fail(input_error(source, static_cast<int>(bad) + 1,
                                    fmt::format("{} (history files are UTF-8 text)", what)));
    }
    lines.push_back(source);
  }
  return lines;
}

util::Error input_error(const SourceLine& line, int column, std::string message, std::string hint) {
  // Very long lines are not echoed: the caret display would wrap beyond use.
  constexpr std::size_t kLongestShownLine = 300;
  util::Error error = util::Error::invalid_input(
      std::move(message), util::SourceLocation{std::string(line.file), line.number, column},
      std::move(hint));
  if (line.text.size() <= kLongestShownLine &&
      first_invalid_byte(line.text) == std::string_view::npos)
    error.source_line = std::string(line.text);
  return error;
}

int column_of(const SourceLine& line, std::string_view part) {
  return static_cast<int>(part.data() - line.text.data()) + 1;
}

}  // namespace zerospof::history
