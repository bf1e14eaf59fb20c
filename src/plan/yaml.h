// A YAML document as a small tree of plain values in which every node keeps where it was
// written (file:line:col), so that the plan and manifest loaders can point at the user's bytes.
// parse_yaml() checks UTF-8 first (libfyaml can hang on a `%` directive followed by invalid
// UTF-8), rejects duplicate keys and bounds alias expansion, so no input can crash or hang it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace zerospof::plan {

struct YamlNode {
  enum class Kind { kScalar, kMapping, kSequence };

  Kind kind = Kind::kScalar;
  std::string scalar;  // kScalar: the text after unquoting
  bool plain = true;   // kScalar: unquoted, so "null", "true" and numbers keep their meaning
  std::vector<YamlNode> keys;    // kMapping: keys[i] maps to values[i], in file order
  std::vector<YamlNode> values;  // kMapping: the values; kSequence: the items
  util::SourceLocation where;

  bool is_null() const;  // a plain scalar "", "~" or null/Null/NULL
  bool is_mapping() const { return kind == Kind::kMapping; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  // The value under `key` in a mapping, or nullptr.
  const YamlNode* find(std::string_view key) const;
  const char* kind_name() const;
};

// The text of a file split in lines, to build errors that show the offending line and a caret.
class SourceText {
 public:
  SourceText(std::string file_name, const std::string& text);
  const std::string& file_name() const { return file_name_; }
  util::Error error_at(const util::SourceLocation& where, std::string message,
                       std::string hint = {}) const;

 private:
  std::string file_name_;
  std::vector<std::string> lines_;
};

// Every document of a YAML stream (a plan has one; manifests may have many). Empty documents
// are skipped.
util::Result<std::vector<YamlNode>> parse_yaml(const std::string& text, const SourceText& source);

// The kind and metadata.name of a Kubernetes object written as one YAML document; nullopt when
// it is not a mapping (or not YAML).
struct ObjectIdentity {
  std::string kind;
  std::string name;
};
std::optional<ObjectIdentity> object_identity(const std::string& document);

// `document` (one YAML document) with each (path, yaml) merged in at its path
// ("/spec/template/spec"): a mapping's keys replace the same keys there. Emitted in block style
// without a document start mark. `what` names the document in errors.
util::Result<std::string> merge_yaml(
    const std::string& document, const std::vector<std::pair<std::string, std::string>>& patches,
    const std::string& what);

}  // namespace zerospof::plan
