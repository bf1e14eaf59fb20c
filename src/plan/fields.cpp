#include "plan/fields.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

namespace zerospof::plan {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (std::tolower(a[i - 1]) != std::tolower(b[j - 1]));
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

util::Result<FieldReader> FieldReader::open(const YamlNode& node, std::string path,
                                            std::span<const std::string_view> known_fields,
                                            const SourceText& source) {
  if (!node.is_mapping())
    return util::fail(source.error_at(
        node.where, fmt::format("{} must be a mapping, not {}", path, node.kind_name())));
  for (const YamlNode& key : node.keys) {
    if (!key.is_scalar())
      return util::fail(
          source.error_at(key.where, fmt::format("{}: keys must be plain names", path)));
    if (std::find(known_fields.begin(), known_fields.end(), key.scalar) != known_fields.end())
      continue;
    std::string suggestion = did_you_mean(key.scalar, known_fields);
    std::string hint = suggestion.empty()
                           ? fmt::format("known fields here: {}", fmt::join(known_fields, ", "))
                           : fmt::format("did you mean '{}'?", suggestion);
    return util::fail(source.error_at(
        key.where, fmt::format("unknown field '{}' in {}", key.scalar, path), hint));
  }
  return FieldReader(node, std::move(path), source);
}

util::Result<const YamlNode*> FieldReader::required(std::string_view key) const {
  const YamlNode* value = find(key);
  if (value == nullptr || value->is_null())
    return util::fail(source_->error_at(value ? value->where : node_->where,
                                        fmt::format("{} is required", path_of(key)),
                                        fmt::format("add '{}:' to {}", key, path_)));
  return value;
}

util::Result<const YamlNode*> FieldReader::scalar(std::string_view key) const {
  const YamlNode* value = find(key);
  if (value == nullptr || value->is_null()) return nullptr;
  if (!value->is_scalar())
    return util::fail(error_at(*value, fmt::format("{} must be a single value, not {}",
                                                   path_of(key), value->kind_name())));
  return value;
}

util::Result<std::string> FieldReader::string(std::string_view key) const {
  auto value = required(key);
  if (!value) return util::fail(value.error());
  if (!(*value)->is_scalar() || (*value)->scalar.empty())
    return util::fail(
        error_at(**value, fmt::format("{} must be a non-empty string", path_of(key))));
  return (*value)->scalar;
}

util::Result<std::optional<std::string>> FieldReader::optional_string(std::string_view key) const {
  auto value = scalar(key);
  if (!value) return util::fail(value.error());
  if (*value == nullptr) return std::nullopt;
  return (*value)->scalar;
}

util::Result<std::optional<std::int64_t>> FieldReader::optional_integer(
    std::string_view key, std::int64_t minimum, std::int64_t maximum) const {
  auto value = scalar(key);
  if (!value) return util::fail(value.error());
  if (*value == nullptr) return std::nullopt;
  auto number = (*value)->plain ? parse_integer((*value)->scalar) : std::nullopt;
  if (!number)
    return util::fail(error_at(**value, fmt::format("{} must be a whole number, not '{}'",
                                                    path_of(key), (*value)->scalar)));
  if (*number < minimum || *number > maximum)
    return util::fail(error_at(**value, fmt::format("{} must be between {} and {}, not {}",
                                                    path_of(key), minimum, maximum, *number)));
  return number;
}

util::Result<std::optional<bool>> FieldReader::optional_bool(std::string_view key) const {
  auto value = scalar(key);
  if (!value) return util::fail(value.error());
  if (*value == nullptr) return std::nullopt;
  const std::string& text = (*value)->scalar;
  if ((*value)->plain && (text == "true" || text == "True" || text == "TRUE")) return true;
  if ((*value)->plain && (text == "false" || text == "False" || text == "FALSE")) return false;
  return util::fail(
      error_at(**value, fmt::format("{} must be true or false, not '{}'", path_of(key), text)));
}

util::Result<std::optional<std::string>> FieldReader::optional_choice(
    std::string_view key, std::span<const std::string_view> choices) const {
  auto value = optional_string(key);
  if (!value || !*value) return value;
  if (std::find(choices.begin(), choices.end(), **value) != choices.end()) return value;
  std::string suggestion = did_you_mean(**value, choices);
  return util::fail(
      error_at(*find(key),
               fmt::format("{} must be one of {}, not '{}'", path_of(key), fmt::join(choices, ", "),
                           **value),
               suggestion.empty() ? std::string() : fmt::format("did you mean '{}'?", suggestion)));
}

}  // namespace zerospof::plan
