// Turns the event lines of a history file into operations, whatever the file's format: each
// invocation is paired with the next completion of the same process, as in Jepsen, where a
// process has at most one operation in flight.
//
// A completion decides the outcome:
// - ok: the operation took effect (a read's value is what it returned);
// - fail: it did not happen and is dropped, except a compare-and-set, whose failure is the
//   observation that the comparison failed (Porcupine's and Jepsen etcd's reading);
// - info, or a fail whose value is :timed-out: unknown; it may or may not have taken effect.
// Invocations still open at the end of the file are unknown, as a crashed client's would be.
// Single-threaded; every error points at the line that breaks these rules.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "history/history.h"
#include "history/source_text.h"
#include "util/error.h"

namespace zerospof::history {

enum class EventType : std::uint8_t { kInvoke, kOk, kFail, kInfo };

struct Event {
  EventType type = EventType::kInvoke;
  std::int64_t process = 0;
  Function function = Function::kRead;
  std::string key;
  Value value;             // invoke: the argument; ok read: the value returned
  Value expected;          // compare-and-set: the value compared against
  bool timed_out = false;  // a fail that only says the client gave up
  std::int64_t time = 0;
};

class HistoryBuilder {
 public:
  HistoryBuilder(std::string source, HistoryFormat format) {
    history_.source = std::move(source);
    history_.format = format;
  }

  // Adds the event read from `line`; errors point at `column` of it.
  util::Status add(Event event, const SourceLine& line, int column = 1);

  // The operations in invocation order; open invocations become unknown.
  History finish() &&;

 private:
  util::Status complete(Event event, const SourceLine& line, int column);

  History history_;
  std::vector<bool> dropped_;                           // per operation: did not happen
  std::unordered_map<std::int64_t, std::size_t> open_;  // process -> its operation in flight
};

// Parses a whole file: `parse_line` turns each line that is not blank (spaces, tabs) into an
// event, or nullopt for a line to skip, and the events go through a HistoryBuilder.
using LineParser = std::function<util::Result<std::optional<Event>>(const SourceLine&)>;
util::Result<History> build_history(std::string_view text, std::string_view source,
                                    HistoryFormat format, const LineParser& parse_line);

// "read", "write", "cas", "append" (and the key-value names "get", "put"), else nullopt.
std::optional<Function> function_from_name(std::string_view name);
// "invoke", "ok", "fail", "info", else nullopt.
std::optional<EventType> event_type_from_name(std::string_view name);

}  // namespace zerospof::history
