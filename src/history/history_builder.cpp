#include "history/history_builder.h"

#include <fmt/format.h>

#include <algorithm>

namespace zerospof::history {
namespace {

std::string_view function_name(Function function) {
  switch (function) {
    case Function::kRead:
      return "read";
    case Function::kWrite:
      return "write";
    case Function::kCompareAndSet:
      return "cas";
    case Function::kAppend:
      return "append";
  }
  return "read";
}

}  // namespace

std::optional<Function> function_from_name(std::string_view name) {
  if (name == "read" || name == "get") return Function::kRead;
  if (name == "write" || name == "put") return Function::kWrite;
  if (name == "cas") return Function::kCompareAndSet;
  if (name == "append") return Function::kAppend;
  return std::nullopt;
}

std::optional<EventType> event_type_from_name(std::string_view name) {
  if (name == "invoke") return EventType::kInvoke;
  if (name == "ok") return EventType::kOk;
  if (name == "fail") return EventType::kFail;
  if (name == "info") return EventType::kInfo;
  return std::nullopt;
}

util::Status HistoryBuilder::add(Event event, const SourceLine& line, int column) {
  if (event.type != EventType::kInvoke) return complete(std::move(event), line, column);
  if (auto open = open_.find(event.process); open != open_.end()) {
    return util::fail(input_error(
        line, column,
        fmt::format("process {} invokes an operation while its operation from line {} is still "
                    "in flight",
                    event.process, history_.operations[open->second].invoke_line),
        "a process completes (ok, fail or info) each operation before invoking the next"));
  }
  Operation operation;
  operation.process = event.process;
  operation.function = event.function;
  operation.outcome = Outcome::kUnknown;  // until a completion says otherwise
  operation.key = std::move(event.key);
  operation.argument = std::move(event.value);
  operation.expected = std::move(event.expected);
  operation.invoke_time = event.time;
  operation.invoke_line = line.number;
  open_.emplace(event.process, history_.operations.size());
  history_.operations.push_back(std::move(operation));
  dropped_.push_back(false);
  return {};
}

util::Status HistoryBuilder::complete(Event event, const SourceLine& line, int column) {
  const auto open = open_.find(event.process);
  if (open == open_.end()) {
    return util::fail(input_error(
        line, column,
        fmt::format("process {} completes an operation it never invoked", event.process),
        "every ok, fail or info line follows an invoke line of the same process"));
  }
  const std::size_t index = open->second;
  Operation& operation = history_.operations[index];
  if (operation.function != event.function) {
    return util::fail(
        input_error(line, column,
                    fmt::format("process {} completes a {} but invoked a {} on line {}",
                                event.process, function_name(event.function),
                                function_name(operation.function), operation.invoke_line)));
  }
  if (event.time < operation.invoke_time) {
    return util::fail(
        input_error(line, column,
                    fmt::format("completion time {} is before the invocation time {} on line {}",
                                event.time, operation.invoke_time, operation.invoke_line)));
  }
  open_.erase(open);
  operation.complete_time = event.time;
  operation.complete_line = line.number;
  const bool unknown = event.type == EventType::kInfo || event.timed_out;
  if (unknown) {
    operation.outcome = Outcome::kUnknown;
  } else if (event.type == EventType::kOk) {
    operation.outcome = Outcome::kOk;
    if (operation.function == Function::kRead) operation.observed = std::move(event.value);
  } else if (operation.function == Function::kCompareAndSet) {
    operation.outcome = Outcome::kFailed;
  } else {
    dropped_[index] = true;
  }
  return {};
}

util::Result<History> build_history(std::string_view text, std::string_view source,
                                    HistoryFormat format, const LineParser& parse_line) {
  ZEROSPOF_ASSIGN_OR_RETURN(const std::vector<SourceLine> lines, split_lines(text, source));
  HistoryBuilder builder{std::string(source), format};
  for (const SourceLine& line : lines) {
    if (line.text.find_first_not_of(" \t") == std::string_view::npos) continue;
    ZEROSPOF_ASSIGN_OR_RETURN(std::optional<Event> event, parse_line(line));
    if (event) ZEROSPOF_RETURN_IF_ERROR(builder.add(std::move(*event), line));
  }
  return std::move(builder).finish();
}

History HistoryBuilder::finish() && {
  History history;
  history.source = std::move(history_.source);
  history.format = history_.format;
  history.operations.reserve(history_.operations.size());
  for (std::size_t i = 0; i < history_.operations.size(); ++i)
    if (!dropped_[i]) history.operations.push_back(std::move(history_.operations[i]));
  // Files list events in time order when their times are line numbers; JSON Lines carry their
  // own clocks, so order by them.
  std::stable_sort(
      history.operations.begin(), history.operations.end(),
      [](const Operation& a, const Operation& b) { return a.invoke_time < b.invoke_time; });
  return history;
}

}  // namespace zerospof::history
