#include "util/terminal.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace zerospof::util {

bool color_enabled(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  return isatty(fd) == 1;
}

std::string printable(std::string_view text, size_t limit, std::string_view keep) {
  std::string out;
  auto escape = [&out](unsigned char byte) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
    out += buffer;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (i >= limit) {
      out += "...";
      break;
    }
    unsigned char byte = static_cast<unsigned char>(text[i]);
    bool c1 = byte == 0xc2 && i + 1 < text.size() &&
              static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if (c1) {
      escape(static_cast<unsigned char>(text[++i]));
    } else if ((byte < 0x20 || byte == 0x7f) && keep.find(text[i]) == std::string_view::npos) {
      escape(byte);
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string Style::wrap(std::string_view code, std::string_view text) const {
  if (!color_) return std::string(text);
  std::string out = "\033[";
  out += code;
  out += 'm';
  out += text;
  out += "\033[0m";
  return out;
}

}  // namespace zerospof::util
