#include "history/source_text.h"

#include <fmt/format.h>

#include "util/source_text.h"

namespace zerospof::history {

util::Result<std::vector<SourceLine>> split_lines(std::string_view text, std::string_view file) {
  std::vector<SourceLine> lines;
  int number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SourceLine source{file, ++number, line};
    if (auto bad = util::first_invalid_byte(line)) {
      const char* what = bad->nul ? "a NUL byte" : "a byte that is not valid UTF-8";
      return util::fail(
          input_error(source, bad->column, fmt::format("{} (history files are UTF-8 text)", what)));
    }
    lines.push_back(source);
  }
  return lines;
}

util::Error input_error(const SourceLine& line, int column, std::string message, std::string hint) {
  return util::source_error(std::string(line.file), line.number, column, line.text,
                            std::move(message), std::move(hint));
}

int column_of(const SourceLine& line, std::string_view part) {
  return util::column_at(line.text, static_cast<std::size_t>(part.data() - line.text.data()));
}

}  // namespace zerospof::history
