#include "history/register_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace zerospof::history {

namespace {

constexpr std::size_t kInitialSlots = 16;  // most keys hold a few values; the tables grow
constexpr std::size_t kOwnedBlock = 4096;  // characters per block of copied texts, at least

std::uint64_t hash_text(std::string_view text) { return std::hash<std::string_view>{}(text); }

// Spreads the low bits of a key made of two ids (Fibonacci hashing).
std::uint64_t hash_key(std::uint64_t key) { return key * 0x9E3779B97F4A7C15ULL; }

}  // namespace

ValueTable::ValueTable(std::size_t expected_values) {
  texts_.reserve(expected_values + 1);
  texts_.push_back(Text{std::string_view(), hash_text(""), false});  // kAbsent: nil and ""
}

ValueTable::ValueTable(const ValueTable& other)
    : texts_(other.texts_),
      text_slots_(other.text_slots_),
      append_keys_(other.append_keys_),
      append_results_(other.append_results_),
      appends_(other.appends_) {
  for (Text& text : texts_)
    if (text.owned) text.view = keep(text.view);
}

ValueTable& ValueTable::operator=(const ValueTable& other) {
  if (this != &other) *this = ValueTable(other);
  return *this;
}

// The blocks move with their texts, so the views stay valid; the moved-from table has none.
ValueTable::ValueTable(ValueTable&& other) noexcept
    : texts_(std::move(other.texts_)),
      text_slots_(std::move(other.text_slots_)),
      append_keys_(std::move(other.append_keys_)),
      append_results_(std::move(other.append_results_)),
      appends_(std::exchange(other.appends_, 0)),
      owned_(std::move(other.owned_)),
      owned_next_(std::exchange(other.owned_next_, nullptr)),
      owned_left_(std::exchange(other.owned_left_, 0)),
      owned_bytes_(std::exchange(other.owned_bytes_, 0)) {}

ValueTable& ValueTable::operator=(ValueTable&& other) noexcept {
  ValueTable moved(std::move(other));
  std::swap(texts_, moved.texts_);
  std::swap(text_slots_, moved.text_slots_);
  std::swap(append_keys_, moved.append_keys_);
  std::swap(append_results_, moved.append_results_);
  std::swap(appends_, moved.appends_);
  std::swap(owned_, moved.owned_);
  std::swap(owned_next_, moved.owned_next_);
  std::swap(owned_left_, moved.owned_left_);
  std::swap(owned_bytes_, moved.owned_bytes_);
  return *this;
}

// A copy of `text` in the table's own blocks.
std::string_view ValueTable::keep(std::string_view text) {
  if (text.size() > owned_left_) {
    const std::size_t size = std::max(kOwnedBlock, text.size());
    owned_.push_back(std::make_unique<char[]>(size));
    owned_next_ = owned_.back().get();
    owned_left_ = size;
  }
  std::copy(text.begin(), text.end(), owned_next_);
  const std::string_view kept(owned_next_, text.size());
  owned_next_ += text.size();
  owned_left_ -= text.size();
  owned_bytes_ += text.size();
  return kept;
}

ValueId ValueTable::intern(std::string_view text) { return intern_text(text, /*copy=*/true); }

ValueId ValueTable::intern_lasting(std::string_view text) {
  return intern_text(text, /*copy=*/false);
}

ValueId ValueTable::intern_text(std::string_view text, bool copy) {
  // Sized on first use from the texts the table expects (its constructor's reservation).
  if (text_slots_.empty())
    slot_texts(std::bit_ceil(std::max(kInitialSlots, 2 * texts_.capacity())));
  const std::uint64_t hash = hash_text(text);
  const std::size_t mask = text_slots_.size() - 1;
  std::size_t slot = hash & mask;
  for (; text_slots_[slot] != 0; slot = (slot + 1) & mask) {
    const Text& known = texts_[text_slots_[slot] - 1];
    if (known.hash == hash && known.view == text) return text_slots_[slot] - 1;
  }
  const auto id = static_cast<ValueId>(texts_.size());
  texts_.push_back(Text{copy ? keep(text) : text, hash, copy});
  text_slots_[slot] = id + 1;
  if (2 * texts_.size() > text_slots_.size()) slot_texts(2 * text_slots_.size());
  return id;
}

void ValueTable::slot_texts(std::size_t slot_count) {
  std::vector<ValueId> slots(slot_count, 0);
  const std::size_t mask = slots.size() - 1;
  for (ValueId id = 0; id < texts_.size(); ++id) {
    std::size_t slot = texts_[id].hash & mask;
    while (slots[slot] != 0) slot = (slot + 1) & mask;
    slots[slot] = id + 1;
  }
  text_slots_ = std::move(slots);
}

ValueId ValueTable::append(ValueId state, ValueId suffix) {
  if (append_keys_.empty()) {
    append_keys_.assign(kInitialSlots, 0);
    append_results_.assign(kInitialSlots, kAbsent);
  }
  const std::uint64_t key = ((std::uint64_t{state} << 32) | suffix) + 1;
  const std::size_t mask = append_keys_.size() - 1;
  std::size_t slot = hash_key(key) >> 32 & mask;
  for (; append_keys_[slot] != 0; slot = (slot + 1) & mask)
    if (append_keys_[slot] == key) return append_results_[slot];
  // The joined text is built in a buffer kept for the next append, and copied into the
  // table's blocks only if it is new.
  thread_local std::string joined;
  joined.assign(text(state)).append(text(suffix));
  const ValueId result = intern(joined);
  append_keys_[slot] = key;
  append_results_[slot] = result;
  if (2 * ++appends_ > append_keys_.size()) grow_appends();
  return result;
}

void ValueTable::grow_appends() {
  std::vector<std::uint64_t> keys(2 * append_keys_.size(), 0);
  std::vector<ValueId> results(keys.size(), kAbsent);
  const std::size_t mask = keys.size() - 1;
  for (std::size_t old = 0; old < append_keys_.size(); ++old) {
    if (append_keys_[old] == 0) continue;
    std::size_t slot = hash_key(append_keys_[old]) >> 32 & mask;
    while (keys[slot] != 0) slot = (slot + 1) & mask;
    keys[slot] = append_keys_[old];
    results[slot] = append_results_[old];
  }
  append_keys_ = std::move(keys);
  append_results_ = std::move(results);
}

Step apply(ValueTable& values, ValueId state, const ModelOperation& operation) {
  const bool unknown = operation.outcome == Outcome::kUnknown;
  switch (operation.function) {
    case Function::kRead:
      return {unknown || operation.observed == state, state};
    case Function::kWrite:
      return {true, operation.argument};
    case Function::kAppend:
      return {true, values.append(state, operation.argument)};
    case Function::kCompareAndSet: {
      const bool matches = state == operation.expected;
      const bool legal = unknown || matches == (operation.outcome == Outcome::kOk);
      return {legal, matches ? operation.argument : state};
    }
  }
  return {false, state};
}

namespace {

std::string quoted(const ValueTable& values, ValueId id) {
  return id == kAbsent ? std::string("nil") : fmt::format("\"{}\"", values.text(id));
}

}  // namespace

std::string why_illegal(const ValueTable& values, ValueId state, const ModelOperation& operation) {
  if (operation.function == Function::kRead)
    return fmt::format("it read {} but the value was {}", quoted(values, operation.observed),
                       quoted(values, state));
  if (operation.function == Function::kCompareAndSet && operation.outcome == Outcome::kOk)
    return fmt::format("it succeeded comparing with {} but the value was {}",
                       quoted(values, operation.expected), quoted(values, state));
  if (operation.function == Function::kCompareAndSet)
    return fmt::format("it failed comparing with {} but the value was {}",
                       quoted(values, operation.expected), quoted(values, state));
  return "it is legal in every state";
}

}  // namespace zerospof::history
