#include "history/history.h"

#include <fmt/format.h>

#include "util/files.h"

namespace zerospof::history {

util::Result<HistoryFormat> parse_history_format(std::string_view name) {
  if (name == "jepsen") return HistoryFormat::kJepsen;
  if (name == "edn") return HistoryFormat::kEdn;
  if (name == "jsonl") return HistoryFormat::kJsonLines;
  return util::fail(util::Error::invalid_input(fmt::format("unknown history format \"{}\"", name),
                                               {}, "use jepsen, edn or jsonl"));
}

std::string_view format_name(HistoryFormat format) {
  switch (format) {
    case HistoryFormat::kJepsen:
      return "jepsen";
    case HistoryFormat::kEdn:
      return "edn";
    case HistoryFormat::kJsonLines:
      return "jsonl";
  }
  return "jepsen";
}

HistoryFormat detect_history_format(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || text[start] != '{') return HistoryFormat::kJepsen;
  const std::size_t next = text.find_first_not_of(" \t", start + 1);
  if (next != std::string_view::npos && text[next] == '"') return HistoryFormat::kJsonLines;
  return HistoryFormat::kEdn;
}

util::Result<History> parse_history(std::string_view text, std::string_view source,
                                    HistoryFormat format) {
  switch (format) {
    case HistoryFormat::kJepsen:
      return parse_jepsen_log(text, source);
    case HistoryFormat::kEdn:
      return parse_edn_history(text, source);
    case HistoryFormat::kJsonLines:
      return parse_jsonl_history(text, source);
  }
  return util::fail(util::Error::internal("unknown history format"));
}

util::Result<History> load_history(const std::string& path, std::optional<HistoryFormat> format) {
  ZEROSPOF_ASSIGN_OR_RETURN(const std::string text, util::read_file(path));
  ZEROSPOF_ASSIGN_OR_RETURN(
      History history, parse_history(text, path, format.value_or(detect_history_format(text))));
  // Nothing recorded proves nothing: calling it linearizable would pass a drill whose probes
  // never ran.
  if (history.operations.empty())
    return util::fail(util::Error::invalid_input(
        "the history holds no operations", util::SourceLocation{path, 1, 1},
        "a drill records at least one operation; check that this is the file you meant"));
  return history;
}

std::string describe(const Value& value) {
  if (!value) return "nil";
  return fmt::format("\"{}\"", *value);
}

std::string describe(const Operation& operation) {
  std::string text;
  switch (operation.function) {
    case Function::kRead:
      text = operation.outcome == Outcome::kOk ? "read -> " + describe(operation.observed)
                                               : std::string("read");
      break;
    case Function::kWrite:
      text = "write " + describe(operation.argument);
      break;
    case Function::kCompareAndSet:
      text =
          fmt::format("cas {} -> {}", describe(operation.expected), describe(operation.argument));
      if (operation.outcome == Outcome::kFailed) text += " (failed)";
      break;
    case Function::kAppend:
      text = "append " + describe(operation.argument);
      break;
  }
  if (operation.outcome == Outcome::kUnknown) text += " (unknown outcome)";
  return text;
}

}  // namespace zerospof::history
