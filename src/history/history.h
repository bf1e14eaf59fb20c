// A history: the operations that clients invoked on a key-value store, each with the time it was
// invoked, how and when it completed, and where it came from in the file it was read from.
// This is what a drill records and what the linearizability checker judges.
//
// Guarantees of a History returned by the parsers:
// - operations are ordered by invocation time (ties keep file order); invoke_time <= complete_time;
// - operations that definitely did not happen (a `fail` read, write or append) are not in it;
// - an operation with Outcome::kUnknown may or may not have taken effect, at any time after its
//   invocation: its complete_time is when the client gave up (kNever if it never reported).
// Plain values: copyable and safe to share read-only between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace zerospof::history {

// The register operations of Jepsen's etcd tests plus the key-value map's append. A map's
// get and put are a read and a write of one key.
enum class Function : std::uint8_t { kRead, kWrite, kCompareAndSet, kAppend };

enum class Outcome : std::uint8_t {
  kOk,
  kFailed,   // only for compare-and-set: it completed and reported that the comparison failed
  kUnknown,  // timed out, crashed or never reported: may or may not have taken effect
};

// A value held by a key. nullopt is "absent" (Jepsen's nil); the models treat an absent key and
// the empty string alike, as the key-value histories do.
using Value = std::optional<std::string>;

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

struct Operation {
  std::int64_t process = 0;
  Function function = Function::kRead;
  Outcome outcome = Outcome::kOk;
  std::string key;  // "" for a single register
  Value argument;   // write, append: the value given; compare-and-set: the new value
  Value expected;   // compare-and-set: the value compared against
  Value observed;   // read with Outcome::kOk: the value returned
  std::int64_t invoke_time = 0;
  std::int64_t complete_time = kNever;
  int invoke_line = 0;    // line of the invocation in the source file
  int complete_line = 0;  // line of the completion; 0 if none was recorded
};

enum class HistoryFormat { kJepsen, kEdn, kJsonLines };

struct History {
  std::string source;                                // the file name, for messages
  HistoryFormat format = HistoryFormat::kJsonLines;  // what it was read from
  std::vector<Operation> operations;
};

// "jepsen", "edn" or "jsonl".
util::Result<HistoryFormat> parse_history_format(std::string_view name);
std::string_view format_name(HistoryFormat format);

// The format of `text` from its first non-blank line: `{"` opens JSON Lines, `{:` or `{ :` an
// EDN map, anything else a Jepsen log line.
HistoryFormat detect_history_format(std::string_view text);

// Parses a whole file. Every error is InvalidInput at file:line:col.
util::Result<History> parse_history(std::string_view text, std::string_view source,
                                    HistoryFormat format);
util::Result<History> parse_jepsen_log(std::string_view text, std::string_view source);
util::Result<History> parse_edn_history(std::string_view text, std::string_view source);
util::Result<History> parse_jsonl_history(std::string_view text, std::string_view source);

// The history in zerospof's JSON Lines format, one invoke and one completion line per operation
// in time order (no completion line for an unknown operation that never reported).
std::string to_jsonl(const History& history);

// Reads and parses `path`; the format is detected when not given. A file with no operations is
// invalid input.
util::Result<History> load_history(const std::string& path, std::optional<HistoryFormat> format);

// "read -> 3", "write 4", "cas 1 -> 2 (failed)", "append \"x\" (unknown)": for reports.
std::string describe(const Operation& operation);
std::string describe(const Value& value);

}  // namespace zerospof::history
