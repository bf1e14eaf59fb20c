#include "history/register_model.h"

#include <fmt/format.h>

namespace zerospof::history {

namespace {

constexpr std::size_t kInitialSlots = 16;  // most keys hold a few values; the tables grow

std::uint64_t hash_text(std::string_view text) { return std::hash<std::string_view>{}(text); }

// Spreads the low bits of a key made of two ids (Fibonacci hashing).
std::uint64_t hash_key(std::uint64_t key) { return key * 0x9E3779B97F4A7C15ULL; }

}  // namespace

ValueTable::ValueTable()
    : text_slots_(kInitialSlots, 0),
      append_keys_(kInitialSlots, 0),
      append_results_(kInitialSlots, kAbsent) {
  texts_.emplace_back();  // kAbsent: nil and "" alike
  hashes_.push_back(hash_text(""));
  text_slots_[hashes_[0] & (kInitialSlots - 1)] = 1;
}

ValueId ValueTable::intern(std::string_view text) { return intern_text(text); }

// Takes a string_view or, from append(), the joined string itself, which then moves into the
// table instead of being copied (an allocation per new state of an append-heavy search).
template <typename Text>
ValueId ValueTable::intern_text(Text&& text) {
  const std::string_view view = text;
  const std::uint64_t hash = hash_text(view);
  const std::size_t mask = text_slots_.size() - 1;
  std::size_t slot = hash & mask;
  for (; text_slots_[slot] != 0; slot = (slot + 1) & mask) {
    const ValueId id = text_slots_[slot] - 1;
    if (hashes_[id] == hash && texts_[id] == view) return id;
  }
  const auto id = static_cast<ValueId>(texts_.size());
  texts_.emplace_back(std::forward<Text>(text));
  text_bytes_ += texts_.back().size();
  hashes_.push_back(hash);
  text_slots_[slot] = id + 1;
  if (2 * texts_.size() > text_slots_.size()) grow_texts();
  return id;
}

void ValueTable::grow_texts() {
  std::vector<ValueId> slots(2 * text_slots_.size(), 0);
  const std::size_t mask = slots.size() - 1;
  for (ValueId id = 0; id < texts_.size(); ++id) {
    std::size_t slot = hashes_[id] & mask;
    while (slots[slot] != 0) slot = (slot + 1) & mask;
    slots[slot] = id + 1;
  }
  text_slots_ = std::move(slots);
}

ValueId ValueTable::append(ValueId state, ValueId suffix) {
  const std::uint64_t key = ((std::uint64_t{state} << 32) | suffix) + 1;
  const std::size_t mask = append_keys_.size() - 1;
  std::size_t slot = hash_key(key) >> 32 & mask;
  for (; append_keys_[slot] != 0; slot = (slot + 1) & mask)
    if (append_keys_[slot] == key) return append_results_[slot];
  std::string joined;
  joined.reserve(text(state).size() + text(suffix).size());
  joined.append(text(state)).append(text(suffix));
  const ValueId result = intern_text(std::move(joined));
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
