// Parser for Jepsen histories written as one EDN map per line, as in testdata/kv:
//   {:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}
// Only the subset of EDN that histories use is read: nil, booleans, integers, strings, keywords
// and vectors of those. Keys other than :process, :type, :f, :key and :value (:time, :index,
// :error...) are ignored; times are line numbers, as the file is in the order events happened.
#include <fmt/format.h>

#include <charconv>
#include <map>
#include <vector>

#include "history/history.h"
#include "history/history_builder.h"

namespace zerospof::history {
namespace {

struct EdnValue {
  enum class Kind { kNil, kBoolean, kInteger, kString, kKeyword, kVector } kind = Kind::kNil;
  std::string text;  // the integer's digits, the string's contents, the keyword without ':'
  std::vector<EdnValue> items;
  std::string_view source;  // the bytes it was read from, for error columns
};

constexpr int kDeepestVector = 16;  // histories nest one level; deeper input is malformed

class EdnLineReader {
 public:
  explicit EdnLineReader(const SourceLine& line) : line_(line), rest_(line.text) {}

  // The line's map, as keyword -> value.
  util::Result<std::map<std::string, EdnValue>> read_map() {
    skip_space();
    if (!consume('{')) return error("expected '{' opening an EDN map");
    std::map<std::string, EdnValue> fields;
    for (skip_space(); !consume('}'); skip_space()) {
      if (rest_.empty()) return error("expected '}' closing the map");
      ZEROSPOF_ASSIGN_OR_RETURN(EdnValue key, read_value(0));
      if (key.kind != EdnValue::Kind::kKeyword)
        return util::fail(error_at(key.source, "expected a keyword key such as :process"));
      skip_space();
      if (rest_.empty() || rest_.front() == '}') return error("expected a value after the key");
      ZEROSPOF_ASSIGN_OR_RETURN(EdnValue value, read_value(0));
      fields.insert_or_assign(key.text, std::move(value));
    }
    skip_space();
    if (!rest_.empty()) return error("unexpected text after the map");
    return fields;
  }

  util::Error error_at(std::string_view where, std::string message) const {
    return input_error(line_, column_of(line_, where), std::move(message));
  }

 private:
  util::Result<EdnValue> read_value(int depth) {
    const std::string_view start = rest_;
    if (rest_.empty()) return error("expected a value");
    util::Result<EdnValue> value = rest_.front() == '"'   ? read_string()
                                   : rest_.front() == '[' ? read_vector(depth)
                                                          : read_atom();
    if (value) value->source = start.substr(0, start.size() - rest_.size());
    return value;
  }

  util::Result<EdnValue> read_string() {
    EdnValue value{EdnValue::Kind::kString};
    rest_.remove_prefix(1);
    while (!rest_.empty() && rest_.front() != '"') {
      char c = rest_.front();
      rest_.remove_prefix(1);
      if (c == '\\') {
        if (rest_.empty()) break;
        c = unescape(rest_.front());
        if (c == '\0') return error("unknown escape in string (use \\\" \\\\ \\n \\t)");
        rest_.remove_prefix(1);
      }
      value.text += c;
    }
    if (!consume('"')) return error("unterminated string");
    return value;
  }

  static char unescape(char c) {
    switch (c) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      default:
        return '\0';
    }
  }

  util::Result<EdnValue> read_vector(int depth) {
    if (depth >= kDeepestVector) return error("vectors nested too deeply");
    EdnValue value{EdnValue::Kind::kVector};
    rest_.remove_prefix(1);
    for (skip_space(); !consume(']'); skip_space()) {
      if (rest_.empty() || rest_.front() == '}') return error("expected ']' closing the vector");
      ZEROSPOF_ASSIGN_OR_RETURN(EdnValue item, read_value(depth + 1));
      value.items.push_back(std::move(item));
    }
    return value;
  }

  util::Result<EdnValue> read_atom() {
    std::size_t end = 0;
    while (end < rest_.size() && !is_delimiter(rest_[end])) ++end;
    const std::string_view atom = rest_.substr(0, end);
    if (atom.empty()) return error("expected a value");
    rest_.remove_prefix(end);
    if (atom == "nil") return EdnValue{EdnValue::Kind::kNil};
    if (atom == "true" || atom == "false")
      return EdnValue{EdnValue::Kind::kBoolean, std::string(atom)};
    if (atom.front() == ':' && atom.size() > 1)
      return EdnValue{EdnValue::Kind::kKeyword, std::string(atom.substr(1))};
    std::int64_t number = 0;
    auto [stop, failure] = std::from_chars(atom.data(), atom.data() + atom.size(), number);
    if (failure == std::errc{} && stop == atom.data() + atom.size())
      return EdnValue{EdnValue::Kind::kInteger, std::to_string(number)};
    return util::fail(error_at(atom, "expected nil, a number, a string, a keyword or a vector"));
  }

  static bool is_delimiter(char c) {
    return c == ' ' || c == '\t' || c == ',' || c == '{' || c == '}' || c == '[' || c == ']' ||
           c == '"';
  }

  void skip_space() {
    while (!rest_.empty() &&
           (rest_.front() == ' ' || rest_.front() == '\t' || rest_.front() == ','))
      rest_.remove_prefix(1);
  }

  bool consume(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }

  tl::unexpected<util::Error> error(std::string message) const {
    const std::string_view where = rest_.empty() ? line_.text.substr(line_.text.size()) : rest_;
    return util::fail(error_at(where, std::move(message)));
  }

  const SourceLine& line_;
  std::string_view rest_;
};

// A field's value as a history value: nil, an integer or a string.
util::Result<Value> history_value(const EdnValue& field, const EdnLineReader& reader) {
  switch (field.kind) {
    case EdnValue::Kind::kNil:
      return Value{};
    case EdnValue::Kind::kInteger:
    case EdnValue::Kind::kString:
      return Value{field.text};
    default:
      return util::fail(reader.error_at(field.source, "expected nil, an integer or a string"));
  }
}

// Fills `event` from the map's fields; returns false for a line to skip (the nemesis).
util::Result<bool> to_event(const std::map<std::string, EdnValue>& fields, const SourceLine& line,
                            const EdnLineReader& reader, Event& event) {
  const std::string_view whole = line.text;
  auto field = [&](const char* name) -> util::Result<const EdnValue*> {
    const auto found = fields.find(name);
    if (found == fields.end())
      return util::fail(reader.error_at(whole, fmt::format("the map has no :{}", name)));
    return &found->second;
  };
  ZEROSPOF_ASSIGN_OR_RETURN(const EdnValue* process, field("process"));
  if (process->kind == EdnValue::Kind::kKeyword && process->text == "nemesis") return false;
  if (process->kind != EdnValue::Kind::kInteger || process->text.starts_with('-'))
    return util::fail(reader.error_at(process->source, "expected a process number"));
  event.process = std::stoll(process->text);
  ZEROSPOF_ASSIGN_OR_RETURN(const EdnValue* type, field("type"));
  const auto type_value =
      type->kind == EdnValue::Kind::kKeyword ? event_type_from_name(type->text) : std::nullopt;
  if (!type_value)
    return util::fail(reader.error_at(type->source, "expected :invoke, :ok, :fail or :info"));
  event.type = *type_value;
  ZEROSPOF_ASSIGN_OR_RETURN(const EdnValue* function, field("f"));
  const auto function_value = function->kind == EdnValue::Kind::kKeyword
                                  ? function_from_name(function->text)
                                  : std::nullopt;
  if (!function_value)
    return util::fail(
        reader.error_at(function->source, "expected :read, :write, :cas, :get, :put or :append"));
  event.function = *function_value;
  if (const auto key = fields.find("key"); key != fields.end()) {
    ZEROSPOF_ASSIGN_OR_RETURN(Value key_value, history_value(key->second, reader));
    event.key = key_value.value_or("");
  }
  const auto value = fields.find("value");
  if (value == fields.end()) return true;
  const EdnValue& given = value->second;
  if (given.kind == EdnValue::Kind::kKeyword && given.text == "timed-out") {
    event.timed_out = true;
    return true;
  }
  if (event.type == EventType::kInfo) return true;  // an info line's value carries no outcome
  if (event.function != Function::kCompareAndSet) {
    ZEROSPOF_ASSIGN_OR_RETURN(event.value, history_value(given, reader));
    return true;
  }
  if (given.kind != EdnValue::Kind::kVector || given.items.size() != 2)
    return util::fail(reader.error_at(given.source, "expected [FROM TO] for :cas"));
  ZEROSPOF_ASSIGN_OR_RETURN(event.expected, history_value(given.items[0], reader));
  ZEROSPOF_ASSIGN_OR_RETURN(event.value, history_value(given.items[1], reader));
  return true;
}

}  // namespace

util::Result<History> parse_edn_history(std::string_view text, std::string_view source) {
  return build_history(text, source, HistoryFormat::kEdn,
                       [](const SourceLine& line) -> util::Result<std::optional<Event>> {
                         EdnLineReader reader(line);
                         ZEROSPOF_ASSIGN_OR_RETURN(const auto fields, reader.read_map());
                         Event event;
                         event.time = line.number;
                         ZEROSPOF_ASSIGN_OR_RETURN(const bool keep,
                                                   to_event(fields, line, reader, event));
                         return keep ? std::optional<Event>(std::move(event)) : std::nullopt;
                       });
}

}  // namespace zerospof::history
