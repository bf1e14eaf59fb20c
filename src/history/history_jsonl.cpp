// Parser for zerospof's own history format, JSON Lines written by the drill probes (see
// docs/history.md): one event per line,
//   {"type":"invoke","process":3,"time":1200,"f":"write","key":"a","value":"v1"}
// with times from a monotonic clock in nanoseconds. Unlike the Jepsen formats, lines need not
// be in time order: several probes may append to one file.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "history/history.h"
#include "history/history_builder.h"

namespace zerospof::history {
namespace {

using nlohmann::json;

class JsonLineReader {
 public:
  explicit JsonLineReader(const SourceLine& line) : line_(line) {}

  util::Result<Event> read() {
    json object;
    try {
      object = json::parse(line_.text);
    } catch (const json::parse_error& failure) {  // the library reports errors by throwing
      const int column = std::clamp<int>(static_cast<int>(failure.byte), 1,
                                         static_cast<int>(line_.text.size()) + 1);
      return util::fail(input_error(line_, column, "not a JSON object: " + reason(failure)));
    } catch (const json::exception& failure) {  // e.g. a number too large for a double
      return util::fail(input_error(line_, 1, "not a JSON object: " + reason(failure)));
    }
    if (!object.is_object())
      return util::fail(input_error(line_, 1, "expected a JSON object {\"type\": ...}"));
    return to_event(object);
  }

 private:
  static std::string reason(const json::exception& failure) {
    const std::string what = failure.what();
    const std::size_t colon = what.rfind(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
  }

  util::Result<Event> to_event(const json& object) {
    Event event;
    ZEROSPOF_ASSIGN_OR_RETURN(const std::string type, text_field(object, "type"));
    const auto type_value = event_type_from_name(type);
    if (!type_value) return error("type", "\"type\" must be invoke, ok, fail or info");
    event.type = *type_value;
    ZEROSPOF_ASSIGN_OR_RETURN(event.process, integer_field(object, "process"));
    ZEROSPOF_ASSIGN_OR_RETURN(event.time, integer_field(object, "time"));
    ZEROSPOF_ASSIGN_OR_RETURN(const std::string function, text_field(object, "f"));
    const auto function_value = function_from_name(function);
    if (!function_value) return error("f", "\"f\" must be read, write, cas or append");
    event.function = *function_value;
    if (object.contains("key")) {
      ZEROSPOF_ASSIGN_OR_RETURN(Value key, value_of(object.at("key"), "key"));
      event.key = key.value_or("");
    }
    if (object.contains("timed_out")) {
      if (!object.at("timed_out").is_boolean())
        return error("timed_out", "\"timed_out\" must be true or false");
      event.timed_out = object.at("timed_out").get<bool>();
    }
    if (!object.contains("value") || event.type == EventType::kInfo || event.timed_out)
      return event;
    const json& value = object.at("value");
    if (event.function != Function::kCompareAndSet) {
      ZEROSPOF_ASSIGN_OR_RETURN(event.value, value_of(value, "value"));
      return event;
    }
    if (!value.is_array() || value.size() != 2)
      return error("value", "a cas \"value\" must be [from, to]");
    ZEROSPOF_ASSIGN_OR_RETURN(event.expected, value_of(value[0], "value"));
    ZEROSPOF_ASSIGN_OR_RETURN(event.value, value_of(value[1], "value"));
    return event;
  }

  util::Result<std::string> text_field(const json& object, const char* name) {
    const auto found = object.find(name);
    if (found == object.end() || !found->is_string())
      return error(name, fmt::format("expected \"{}\" with a string value", name));
    return found->get<std::string>();
  }

  util::Result<std::int64_t> integer_field(const json& object, const char* name) {
    const auto found = object.find(name);
    if (found == object.end() || !found->is_number_integer() ||
        (found->is_number_unsigned() && found->get<std::uint64_t>() > INT64_MAX) ||
        found->get<std::int64_t>() < 0)
      return error(name, fmt::format("expected \"{}\" with a non-negative integer", name));
    return found->get<std::int64_t>();
  }

  util::Result<Value> value_of(const json& value, const char* name) {
    if (value.is_null()) return Value{};
    if (value.is_string()) return Value{value.get<std::string>()};
    if (value.is_number_integer()) return Value{value.dump()};
    return error(name, fmt::format("\"{}\" must be null, a string or an integer", name));
  }

  // An error pointing at the field `name` in the line, or at its start.
  tl::unexpected<util::Error> error(const char* name, std::string message) const {
    const std::size_t at = line_.text.find(fmt::format("\"{}\"", name));
    const int column = at == std::string_view::npos ? 1 : static_cast<int>(at) + 1;
    return util::fail(input_error(line_, column, std::move(message)));
  }

  const SourceLine& line_;
};

json value_json(const Value& value) { return value ? json(*value) : json(nullptr); }

std::string_view function_text(Function function) {
  static constexpr std::string_view kNames[] = {"read", "write", "cas", "append"};
  return kNames[static_cast<int>(function)];
}

json invoke_line(const Operation& operation) {
  json line = {{"type", "invoke"},
               {"process", operation.process},
               {"time", operation.invoke_time},
               {"f", function_text(operation.function)},
               {"key", operation.key}};
  line["value"] =
      operation.function == Function::kCompareAndSet
          ? json::array({value_json(operation.expected), value_json(operation.argument)})
          : value_json(operation.argument);
  return line;
}

json completion_line(const Operation& operation) {
  json line = invoke_line(operation);
  line["time"] = operation.complete_time;
  const bool ok = operation.outcome == Outcome::kOk;
  line["type"] = operation.outcome == Outcome::kUnknown ? "info" : ok ? "ok" : "fail";
  if (operation.function == Function::kRead) line["value"] = value_json(operation.observed);
  return line;
}

}  // namespace

std::string to_jsonl(const History& history) {
  std::vector<std::pair<std::int64_t, json>> lines;
  for (const Operation& operation : history.operations) {
    lines.emplace_back(operation.invoke_time, invoke_line(operation));
    if (operation.complete_time != kNever)
      lines.emplace_back(operation.complete_time, completion_line(operation));
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [time, line] : lines)
    out += line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return out;
}

util::Result<History> parse_jsonl_history(std::string_view text, std::string_view source) {
  return build_history(text, source, HistoryFormat::kJsonLines,
                       [](const SourceLine& line) -> util::Result<std::optional<Event>> {
                         ZEROSPOF_ASSIGN_OR_RETURN(Event event, JsonLineReader(line).read());
                         return std::optional<Event>(std::move(event));
                       });
}

}  // namespace zerospof::history
