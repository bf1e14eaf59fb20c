#include "history/linearizability_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

namespace zerospof::history {
namespace {

constexpr std::size_t kPrefixShown = 8;  // the text report shows the end of the prefix only

std::string key_name(const std::string& key) {
  return key.empty() ? std::string("the register") : fmt::format("key \"{}\"", key);
}

std::string operation_line(const History& history, std::size_t index) {
  const Operation& operation = history.operations[index];
  const bool unknown = operation.outcome == Outcome::kUnknown;
  const std::string completed = operation.complete_line == 0 ? std::string(", never completed")
                                : unknown
                                    ? fmt::format(", gave up line {}", operation.complete_line)
                                    : fmt::format(", completed line {}", operation.complete_line);
  return fmt::format("line {}: process {} {}{}", operation.invoke_line, operation.process,
                     describe(operation), completed);
}

constexpr std::size_t kWitnessShown = 12;  // mutations that made the values, beyond the conflict

std::string witness_text(const History& history, const Explanation& explanation,
                         const util::Style& style) {
  std::string out =
      fmt::format("{}: these {} operations cannot be ordered: {}\n", key_name(explanation.key),
                  explanation.conflicting.size(), explanation.reason);
  for (const std::size_t index : explanation.conflicting)
    out += fmt::format("  {}\n", style.bold(operation_line(history, index)));
  std::vector<std::size_t> support;
  std::set_difference(explanation.witness.begin(), explanation.witness.end(),
                      explanation.conflicting.begin(), explanation.conflicting.end(),
                      std::back_inserter(support));
  if (support.empty()) return out;
  out += fmt::format("with the {} operation{} that made the values they saw:\n", support.size(),
                     support.size() == 1 ? "" : "s");
  const std::size_t shown = std::min(support.size(), kWitnessShown);
  for (std::size_t i = 0; i < shown; ++i)
    out += fmt::format("  {}\n", operation_line(history, support[i]));
  if (shown < support.size()) out += fmt::format("  ... {} more\n", support.size() - shown);
  return out;
}

std::string search_text(const History& history, const Explanation& explanation,
                        const util::Style& style) {
  const std::string whole = explanation.witness.empty()
                                ? fmt::format("{}: the longest", key_name(explanation.key))
                                : std::string("Searched alone, their longest");
  std::string out =
      fmt::format("{} linearizable prefix orders {} of {} operations and leaves the value {}:\n",
                  whole, explanation.prefix.size(), explanation.operations_in_key,
                  describe(explanation.value_after_prefix));
  const std::size_t skipped =
      explanation.prefix.size() > kPrefixShown ? explanation.prefix.size() - kPrefixShown : 0;
  if (skipped > 0) out += fmt::format("  ... {} earlier operations\n", skipped);
  for (std::size_t i = skipped; i < explanation.prefix.size(); ++i)
    out += fmt::format("  {}. {}\n", i + 1, operation_line(history, explanation.prefix[i]));
  out += fmt::format(
      "then {} must take effect before it completes, but no operation that may "
      "come next can be ordered:\n",
      style.bold(operation_line(history, explanation.must_complete_first)));
  for (const BlockedOperation& blocked : explanation.blocked)
    out += fmt::format("  {}: {}\n", operation_line(history, blocked.operation), blocked.reason);
  return out;
}

std::string explanation_text(const History& history, const Explanation& explanation,
                             const util::Style& style) {
  std::string out;
  if (!explanation.witness.empty()) out += witness_text(history, explanation, style);
  if (explanation.search_detail) out += search_text(history, explanation, style);
  return out;
}

}  // namespace

std::string render_text(const History& history, const CheckResult& result,
                        const util::Style& style) {
  const std::size_t unknown = std::count_if(
      history.operations.begin(), history.operations.end(),
      [](const Operation& operation) { return operation.outcome == Outcome::kUnknown; });
  const std::string summary = fmt::format("{}: {} operations ({} of unknown outcome) on {} key{}",
                                          history.source, history.operations.size(), unknown,
                                          result.keys.size(), result.keys.size() == 1 ? "" : "s");
  switch (result.verdict) {
    case Verdict::kLinearizable:
      return fmt::format("{}\n{}: no acknowledged write was lost, no read was stale\n", summary,
                         style.green("linearizable"));
    case Verdict::kUndecided:
      return fmt::format("{}\n{}: {}\n", summary, style.yellow("undecided"),
                         result.undecided_reason);
    case Verdict::kNotLinearizable:
      break;
  }
  std::string out = fmt::format("{}\n{}\n", summary, style.red("not linearizable"));
  if (result.explanation) out += explanation_text(history, *result.explanation, style);
  return out;
}

namespace {

using nlohmann::json;

json value_json(const Value& value) { return value ? json(*value) : json(nullptr); }

json operation_json(const History& history, std::size_t index) {
  const Operation& operation = history.operations[index];
  json out = {{"index", index},
              {"process", operation.process},
              {"description", describe(operation)},
              {"line", operation.invoke_line}};
  out["complete_line"] = operation.complete_line > 0 ? json(operation.complete_line) : json();
  return out;
}

json operations_json(const History& history, const std::vector<std::size_t>& indices) {
  json out = json::array();
  for (const std::size_t index : indices) out.push_back(operation_json(history, index));
  return out;
}

json explanation_json(const History& history, const Explanation& explanation) {
  json out = {{"key", explanation.key}};
  if (!explanation.witness.empty()) {
    out["reason"] = explanation.reason;
    out["conflicting"] = operations_json(history, explanation.conflicting);
    out["witness"] = operations_json(history, explanation.witness);
  }
  if (!explanation.search_detail) return out;
  json blocked = json::array();
  for (const BlockedOperation& item : explanation.blocked) {
    json entry = operation_json(history, item.operation);
    entry["legal_here"] = item.legal_here;
    entry["reason"] = item.reason;
    blocked.push_back(std::move(entry));
  }
  out["operations_searched"] = explanation.operations_in_key;
  out["prefix"] = operations_json(history, explanation.prefix);
  out["value_after_prefix"] = value_json(explanation.value_after_prefix);
  out["must_complete_first"] = operation_json(history, explanation.must_complete_first);
  out["blocked"] = std::move(blocked);
  return out;
}

json key_json(const KeyResult& key) {
  json out = {{"key", key.key},
              {"operations", key.operations},
              {"verdict", verdict_name(key.verdict)},
              {"method", method_name(key.method)},
              {"states", key.states},
              {"unknown_operations", key.unknown_operations},
              {"unknown_effects_after_give_up", key.unknown_effects_after_give_up}};
  if (!key.undecided_reason.empty()) out["undecided_reason"] = key.undecided_reason;
  if (key.method == Method::kSearch && !key.why_search.empty()) out["why_search"] = key.why_search;
  return out;
}

}  // namespace

std::string render_json(const History& history, const CheckResult& result) {
  json keys = json::array();
  for (const KeyResult& key : result.keys) keys.push_back(key_json(key));
  json out = {{"file", history.source},
              {"format", format_name(history.format)},
              {"verdict", verdict_name(result.verdict)},
              {"operations", history.operations.size()},
              {"keys", std::move(keys)}};
  if (result.explanation) out["explanation"] = explanation_json(history, *result.explanation);
  if (!result.undecided_reason.empty()) out["undecided_reason"] = result.undecided_reason;
  // Replacement instead of an exception if a value is not UTF-8 (parsers reject such input).
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace zerospof::history
