// Parser for Jepsen's log lines of a register test, as in testdata/jepsen:
//   INFO  jepsen.util - PROCESS<TAB>:TYPE<TAB>:F<TAB>VALUE
// with VALUE nil, an integer, [FROM TO] for compare-and-set, or :timed-out. Times are line
// numbers: the log is written in the order events happened. Lines of the nemesis process are
// skipped: they are faults, not operations.
#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "history/history.h"
#include "history/history_builder.h"

namespace zerospof::history {
namespace {

// Whitespace-separated tokens, where a bracketed vector such as "[3 0]" is one token.
std::vector<std::string_view> tokenize(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t at = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (at < text.size()) {
    while (at < text.size() && is_space(text[at])) ++at;
    if (at == text.size()) break;
    std::size_t end = at;
    if (text[at] == '[') {
      end = text.find(']', at);
      end = end == std::string_view::npos ? text.size() : end + 1;
    } else {
      while (end < text.size() && !is_space(text[end])) ++end;
    }
    tokens.push_back(text.substr(at, end - at));
    at = end;
  }
  return tokens;
}

bool is_integer(std::string_view text) {
  std::int64_t number = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, number);
  return error == std::errc{} && stop == end;
}

class JepsenLineParser {
 public:
  explicit JepsenLineParser(const SourceLine& line) : line_(line) {}

  // The event of the line, or nullopt for a line to skip (a nemesis line).
  util::Result<std::optional<Event>> parse() {
    const std::vector<std::string_view> tokens = tokenize(line_.text);
    if (tokens.size() < 7 || tokens[1] != "jepsen.util" || tokens[2] != "-") {
      return error(tokens.empty() ? line_.text : tokens[0],
                   "expected a Jepsen log line \"INFO  jepsen.util - PROCESS :TYPE :F VALUE\"");
    }
    if (tokens[3] == ":nemesis") return std::optional<Event>{};
    if (tokens.size() > 7) return error(tokens[7], "unexpected text after the value");
    Event event;
    ZEROSPOF_RETURN_IF_ERROR(parse_process(tokens[3], event));
    ZEROSPOF_RETURN_IF_ERROR(parse_type(tokens[4], event));
    ZEROSPOF_RETURN_IF_ERROR(parse_function(tokens[5], event));
    ZEROSPOF_RETURN_IF_ERROR(parse_value(tokens[6], event));
    event.time = line_.number;
    return std::optional<Event>(std::move(event));
  }

  int column(std::string_view token) const { return column_of(line_, token); }

 private:
  util::Status parse_process(std::string_view token, Event& event) {
    auto [stop, failure] =
        std::from_chars(token.data(), token.data() + token.size(), event.process);
    if (failure != std::errc{} || stop != token.data() + token.size() || event.process < 0)
      return error(token, "expected a process number");
    return {};
  }

  util::Status parse_type(std::string_view token, Event& event) {
    const auto type = token.starts_with(':') ? event_type_from_name(token.substr(1)) : std::nullopt;
    if (!type) return error(token, "expected :invoke, :ok, :fail or :info");
    event.type = *type;
    return {};
  }

  util::Status parse_function(std::string_view token, Event& event) {
    const auto function =
        token.starts_with(':') ? function_from_name(token.substr(1)) : std::nullopt;
    if (!function) return error(token, "expected :read, :write or :cas");
    event.function = *function;
    return {};
  }

  util::Status parse_value(std::string_view token, Event& event) {
    if (token == ":timed-out") {
      event.timed_out = true;
      return {};
    }
    if (event.type == EventType::kInfo) return {};  // an info line's value carries no outcome
    if (event.function == Function::kCompareAndSet) return parse_pair(token, event);
    if (token == "nil") return {};
    if (!is_integer(token)) return error(token, "expected nil or an integer value");
    event.value = std::string(token);
    return {};
  }

  util::Status parse_pair(std::string_view token, Event& event) {
    std::vector<std::string_view> parts;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
      parts = tokenize(token.substr(1, token.size() - 2));
    if (parts.size() != 2 || !is_integer(parts[0]) || !is_integer(parts[1]))
      return error(token, "expected [FROM TO], two integers, for :cas");
    event.expected = std::string(parts[0]);
    event.value = std::string(parts[1]);
    return {};
  }

  tl::unexpected<util::Error> error(std::string_view token, std::string message) const {
    return util::fail(input_error(line_, column(token), std::move(message)));
  }

  const SourceLine& line_;
};

}  // namespace

util::Result<History> parse_jepsen_log(std::string_view text, std::string_view source) {
  return build_history(text, source, HistoryFormat::kJepsen,
                       [](const SourceLine& line) { return JepsenLineParser(line).parse(); });
}

}  // namespace zerospof::history
