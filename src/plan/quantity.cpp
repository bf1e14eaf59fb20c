#include "plan/quantity.h"

#include <array>
#include <utility>

namespace zerospof::plan {

namespace {

// A non-negative decimal "12", "1.5", ".5" scaled by 10^`scale_digits`, rounded up (a request
// of 0.0001 CPU still needs one millicore). nullopt on anything else or on overflow.
std::optional<std::int64_t> parse_decimal(std::string_view text, int scale_digits) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t whole = 0, fraction = 0;
  int fraction_digits = 0;
  bool seen_point = false, seen_digit = false, round_up = false;
  for (char c : text) {
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    seen_digit = true;
    if (!seen_point) {
      whole = whole * 10 + (c - '0');
    } else if (fraction_digits < scale_digits) {
      fraction = fraction * 10 + (c - '0');
      ++fraction_digits;
    } else if (c != '0') {
      round_up = true;
    }
  }
  if (!seen_digit) return std::nullopt;
  std::int64_t scale = 1;
  for (int i = 0; i < scale_digits; ++i) scale *= 10;
  for (int i = fraction_digits; i < scale_digits; ++i) fraction *= 10;
  if (whole > INT64_MAX / scale / 2) return std::nullopt;
  return whole * scale + fraction + (round_up ? 1 : 0);
}

}  // namespace

std::optional<std::int64_t> parse_cpu_millicores(std::string_view text) {
  if (!text.empty() && text.back() == 'm') return parse_decimal(text.substr(0, text.size() - 1), 0);
  return parse_decimal(text, 3);
}

std::optional<std::int64_t> parse_memory_bytes(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 11> kSuffixes{{
      {"Ki", 1LL << 10},
      {"Mi", 1LL << 20},
      {"Gi", 1LL << 30},
      {"Ti", 1LL << 40},
      {"Pi", 1LL << 50},
      {"k", 1000LL},
      {"K", 1000LL},
      {"M", 1000LL * 1000},
      {"G", 1000LL * 1000 * 1000},
      {"T", 1000LL * 1000 * 1000 * 1000},
      {"P", 1000LL * 1000 * 1000 * 1000 * 1000},
  }};
  for (auto [suffix, multiplier] : kSuffixes) {
    if (text.size() <= suffix.size() || !text.ends_with(suffix)) continue;
    auto value = parse_decimal(text.substr(0, text.size() - suffix.size()), 3);
    if (!value || *value > INT64_MAX / multiplier) return std::nullopt;
    return (*value * multiplier + 999) / 1000;
  }
  auto value = parse_decimal(text, 0);
  return value;
}

}  // namespace zerospof::plan
