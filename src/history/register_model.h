// The sequential specification the checker linearizes against: one register per key, holding
// a string or nothing, with read, write, compare-and-set and append. The key-value map of
// testdata/kv is this register per key (P-compositionality: a history of independent keys is
// linearizable iff each key's sub-history is), and the Jepsen etcd register is the map's one key.
//
// Values are interned to small integers per partition so that states compare and hash in O(1);
// id 0 is the initial value, absent, which reads as nil or "" (the histories use both).
// A ValueTable is used by one thread at a time (each partition's search owns its own).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "history/history.h"

namespace zerospof::history {

using ValueId = std::uint32_t;
inline constexpr ValueId kAbsent = 0;

class ValueTable {
 public:
  // `expected_values`: how many distinct values the caller expects to intern, so that the
  // table is sized once (0: it starts small and grows).
  explicit ValueTable(std::size_t expected_values = 0);
  ValueTable(const ValueTable& other);
  ValueTable& operator=(const ValueTable& other);
  ValueTable(ValueTable&& other) noexcept;
  ValueTable& operator=(ValueTable&& other) noexcept;
  ~ValueTable() = default;

  ValueId intern(std::string_view text);  // copies the text
  ValueId intern_value(const Value& value) { return value ? intern(*value) : kAbsent; }
  // Without copying: `text` must outlive the table and every copy of it (the checker interns
  // the values of the history it checks, which outlives the check).
  ValueId intern_lasting(std::string_view text);
  ValueId intern_lasting_value(const Value& value) {
    return value ? intern_lasting(*value) : kAbsent;
  }
  std::string_view text(ValueId id) const { return texts_[id].view; }
  // The value after appending `suffix` to `state`, memoised: appends revisit the same states.
  ValueId append(ValueId state, ValueId suffix);
  std::size_t size() const { return texts_.size(); }
  // What the table holds: the texts it copied (appends make long ones) and the hash tables.
  std::size_t memory_bytes() const {
    return owned_bytes_ + texts_.capacity() * sizeof(Text) +
           text_slots_.capacity() * sizeof(ValueId) +
           append_keys_.capacity() * (sizeof(std::uint64_t) + sizeof(ValueId));
  }

 private:
  struct Text {
    std::string_view view;
    std::uint64_t hash = 0;
    bool owned = false;  // view points into owned_ (copied when the table is)
  };
  // Open addressing over flat arrays (no node per entry: a check interns a value per operation
  // and the searches append in their inner loop). A slot holds id + 1, 0 when empty; both
  // tables grow at half load, so probes stay short, and are allocated on first use.
  ValueId intern_text(std::string_view text, bool copy);
  std::string_view keep(std::string_view text);
  // Places every text in a new table of `slot_count` slots (a power of two).
  void slot_texts(std::size_t slot_count);
  void grow_appends();

  std::vector<Text> texts_;  // by id
  std::vector<ValueId> text_slots_;
  std::vector<std::uint64_t> append_keys_;  // (state << 32 | suffix) + 1, 0 when empty
  std::vector<ValueId> append_results_;
  std::size_t appends_ = 0;
  // The texts the table copied, in blocks that never move (a view stays valid as they grow).
  std::vector<std::unique_ptr<char[]>> owned_;
  char* owned_next_ = nullptr;  // the free characters at the end of the last block
  std::size_t owned_left_ = 0;
  std::size_t owned_bytes_ = 0;
};

// An operation of one partition, with its values interned.
struct ModelOperation {
  Function function = Function::kRead;
  Outcome outcome = Outcome::kOk;
  ValueId argument = kAbsent;  // write, append, compare-and-set: the value set
  ValueId expected = kAbsent;  // compare-and-set: the value compared against
  ValueId observed = kAbsent;  // read: the value returned
};

struct Step {
  bool legal = false;  // the operation's recorded result is possible in this state
  ValueId next = kAbsent;
};

// Applies `operation` to `state`. An operation of unknown outcome is legal in every state.
Step apply(ValueTable& values, ValueId state, const ModelOperation& operation);

// Why `operation` is illegal in `state`, for reports ("read \"3\" but the value was \"4\"").
std::string why_illegal(const ValueTable& values, ValueId state, const ModelOperation& operation);

}  // namespace zerospof::history
