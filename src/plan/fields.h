// Typed, strict reads of YAML mapping fields for the loaders: each read either returns the value
// or an Error that points at the offending bytes and says what was expected. A FieldReader also
// rejects keys it was not told about, with a "did you mean" for near misses, so a typo in a plan
// is an error instead of a silently ignored field. Internal to the plan module.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plan/yaml.h"
#include "util/error.h"

namespace zerospof::plan {

// The closest candidate within a small edit distance, or "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

class FieldReader {
 public:
  // `path` names the mapping in messages ("spec.nodes[2]"). Fails if `node` is not a mapping
  // or has a key outside `known_fields`.
  static util::Result<FieldReader> open(const YamlNode& node, std::string path,
                                        std::span<const std::string_view> known_fields,
                                        const SourceText& source);

  const YamlNode* find(std::string_view key) const { return node_->find(key); }
  std::string path_of(std::string_view key) const { return path_ + "." + std::string(key); }
  const YamlNode& node() const { return *node_; }

  util::Result<std::string> string(std::string_view key) const;  // required
  util::Result<std::optional<std::string>> optional_string(std::string_view key) const;
  util::Result<std::optional<std::int64_t>> optional_integer(std::string_view key,
                                                             std::int64_t minimum,
                                                             std::int64_t maximum) const;
  util::Result<std::optional<bool>> optional_bool(std::string_view key) const;
  // One of `choices`, e.g. mode: vip | local-proxy.
  util::Result<std::optional<std::string>> optional_choice(
      std::string_view key, std::span<const std::string_view> choices) const;
  util::Result<const YamlNode*> required(std::string_view key) const;

  util::Error error_at(const YamlNode& at, std::string message, std::string hint = {}) const {
    return source_->error_at(at.where, std::move(message), std::move(hint));
  }

 private:
  FieldReader(const YamlNode& node, std::string path, const SourceText& source)
      : node_(&node), path_(std::move(path)), source_(&source) {}
  util::Result<const YamlNode*> scalar(std::string_view key) const;

  const YamlNode* node_;
  std::string path_;
  const SourceText* source_;
};

// Strict integer parse of a whole string ("12", "-3"); nullopt on anything else.
std::optional<std::int64_t> parse_integer(std::string_view text);

}  // namespace zerospof::plan
