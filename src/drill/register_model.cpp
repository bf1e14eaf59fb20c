#include "drill/register_model.h"

#include <fmt/format.h>

namespace zerospof::drill {

ValueTable::ValueTable() {
  texts_.emplace_back();  // kAbsent: nil and "" alike
  ids_.emplace(texts_.back(), kAbsent);
}

ValueId ValueTable::intern(std::string_view text) {
  if (const auto found = ids_.find(text); found != ids_.end()) return found->second;
  const auto id = static_cast<ValueId>(texts_.size());
  texts_.emplace_back(text);
  ids_.emplace(texts_.back(), id);
  return id;
}

ValueId ValueTable::append(ValueId state, ValueId suffix) {
  const std::uint64_t key = (std::uint64_t{state} << 32) | suffix;
  if (const auto found = appends_.find(key); found != appends_.end()) return found->second;
  std::string joined;
  joined.reserve(text(state).size() + text(suffix).size());
  joined.append(text(state)).append(text(suffix));
  const ValueId result = intern(joined);
  appends_.emplace(key, result);
  return result;
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

}  // namespace zerospof::drill
