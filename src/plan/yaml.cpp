#include "plan/yaml.h"

#include <fmt/format.h>
#include <libfyaml.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <unordered_set>

#include "util/source_text.h"

namespace zerospof::plan {

namespace {

// Bounds that keep any input of up to 10 MB within about 256 MB and 2 s. Alias expansion can
// make a small file describe an enormous tree ("billion laughs"), so nodes and scalar bytes are
// counted as expanded; the largest upstream manifest (calico.yaml) has about 40 000 nodes.
// Nesting is bounded because trees are copied and destroyed recursively, and a deeply nested
// 800 kB file overflowed the stack; Kubernetes schemas nest about 30 levels.
constexpr size_t kMaximumNodes = 500'000;
constexpr size_t kMaximumScalarBytes = 32 << 20;
constexpr size_t kMaximumDepth = 200;

util::Status check_utf8(const std::string& text, const SourceText& source) {
  auto invalid = util::first_invalid_byte(text);
  if (!invalid) return {};
  return util::fail(
      source.error_at({source.file_name(), invalid->line, invalid->column},
                      invalid->nul ? "the file contains a NUL byte" : "the file is not valid UTF-8",
                      "save the file as UTF-8 text"));
}

util::SourceLocation location_of(const fy_mark* mark, const std::string& file) {
  if (mark == nullptr) return {file, 0, 0};
  return {file, mark->line + 1, mark->column + 1};
}

std::string token_text(fy_token* token) {
  size_t length = 0;
  const char* text = token ? fy_token_get_text(token, &length) : nullptr;
  return text ? std::string(text, length) : std::string();
}

struct ParserDeleter {
  void operator()(fy_parser* parser) const { fy_parser_destroy(parser); }
};
struct DiagDeleter {
  void operator()(fy_diag* diag) const { fy_diag_destroy(diag); }
};

// Builds YamlNode trees from libfyaml's event stream. The stack holds the open collections;
// a mapping alternates between expecting a key and a value.
class TreeBuilder {
 public:
  explicit TreeBuilder(const SourceText& source) : source_(source) {}

  util::Status on_event(fy_parser* parser, fy_event* event);
  std::vector<YamlNode> take_documents() { return std::move(documents_); }

 private:
  util::Status add(YamlNode node, std::string anchor);
  util::Status close_collection();
  util::Status check_duplicate(const YamlNode& key);
  util::Status count(const YamlNode& node, size_t nodes, size_t scalar_bytes);

  // A collection still open, with what it has cost so far (its expanded size, for aliases) and
  // the keys it has seen (a hash set: a mapping of n keys is checked in O(n), not O(n^2)).
  struct Open {
    YamlNode node;
    std::string anchor;       // the name: tokens die with their event
    size_t nodes_before = 0;  // the document's counts when it opened: what it holds is the
    size_t bytes_before = 0;  // difference when it closes
    std::unordered_set<std::string> keys;
  };
  struct Anchored {
    YamlNode node;
    size_t nodes = 0;
    size_t scalar_bytes = 0;
  };

  const SourceText& source_;
  std::vector<Open> stack_;
  std::map<std::string, Anchored> anchors_;
  std::vector<YamlNode> documents_;
  size_t node_count_ = 0;
  size_t scalar_bytes_ = 0;
};

util::Status TreeBuilder::on_event(fy_parser* parser, fy_event* event) {
  const std::string& file = source_.file_name();
  util::SourceLocation where = location_of(fy_event_start_mark(event), file);
  switch (event->type) {
    case FYET_SCALAR: {
      YamlNode node;
      node.scalar = token_text(event->scalar.value);
      node.plain =
          fy_token_scalar_style(event->scalar.value) == FYSS_PLAIN && event->scalar.tag == nullptr;
      node.where = where;
      ZEROSPOF_RETURN_IF_ERROR(count(node, 1, node.scalar.size()));
      return add(std::move(node), token_text(event->scalar.anchor));
    }
    case FYET_ALIAS: {
      auto it = anchors_.find(token_text(event->alias.anchor));
      if (it == anchors_.end())
        return util::fail(source_.error_at(where, "alias to an unknown anchor"));
      // Counted as expanded, from the anchor's remembered size: an alias costs O(1) to count.
      const Anchored& anchored = it->second;
      if (node_count_ + anchored.nodes > kMaximumNodes ||
          scalar_bytes_ + anchored.scalar_bytes > kMaximumScalarBytes)
        return util::fail(source_.error_at(where, "aliases expand to too many nodes or bytes",
                                           "write the values out instead of aliasing them"));
      ZEROSPOF_RETURN_IF_ERROR(count(anchored.node, anchored.nodes, anchored.scalar_bytes));
      return add(anchored.node, {});
    }
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START: {
      YamlNode node;
      node.kind =
          event->type == FYET_MAPPING_START ? YamlNode::Kind::kMapping : YamlNode::Kind::kSequence;
      node.where = where;
      if (stack_.size() >= kMaximumDepth)
        return util::fail(source_.error_at(
            where, fmt::format("the document nests deeper than {} levels", kMaximumDepth),
            "no plan or Kubernetes object nests this deep: check the brackets and indentation"));
      size_t nodes_before = node_count_, bytes_before = scalar_bytes_;
      ZEROSPOF_RETURN_IF_ERROR(count(node, 1, 0));
      stack_.push_back(
          Open{std::move(node),
               token_text(event->type == FYET_MAPPING_START ? event->mapping_start.anchor
                                                            : event->sequence_start.anchor),
               nodes_before, bytes_before});
      return {};
    }
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
      return close_collection();
    default:
      (void)parser;
      return {};
  }
}

util::Status TreeBuilder::close_collection() {
  Open open = std::move(stack_.back());
  stack_.pop_back();
  if (!open.anchor.empty())
    anchors_[open.anchor] =
        Anchored{open.node, node_count_ - open.nodes_before, scalar_bytes_ - open.bytes_before};
  return add(std::move(open.node), {});
}

// Adds a node's expanded size to the document's.
util::Status TreeBuilder::count(const YamlNode& node, size_t nodes, size_t scalar_bytes) {
  node_count_ += nodes;
  scalar_bytes_ += scalar_bytes;
  if (node_count_ > kMaximumNodes || scalar_bytes_ > kMaximumScalarBytes)
    return util::fail(source_.error_at(
        node.where, "the document is too large",
        fmt::format("a plan or manifest set holds at most {} nodes and {} MB of text",
                    kMaximumNodes, kMaximumScalarBytes >> 20)));
  return {};
}

util::Status TreeBuilder::check_duplicate(const YamlNode& key) {
  if (!key.is_scalar()) return {};
  Open& parent = stack_.back();
  if (parent.keys.insert(key.scalar).second) return {};
  for (const YamlNode& earlier : parent.node.keys)
    if (earlier.is_scalar() && earlier.scalar == key.scalar)
      return util::fail(
          source_.error_at(key.where, fmt::format("duplicate key '{}'", key.scalar),
                           fmt::format("'{}' is already set at line {}; keep one of them",
                                       key.scalar, earlier.where.line)));
  return {};
}

util::Status TreeBuilder::add(YamlNode node, std::string anchor) {
  if (!anchor.empty()) anchors_[anchor] = Anchored{node, 1, node.scalar.size()};
  if (stack_.empty()) {
    if (!node.is_null()) documents_.push_back(std::move(node));
    return {};
  }
  YamlNode& parent = stack_.back().node;
  if (parent.is_sequence()) {
    parent.values.push_back(std::move(node));
  } else if (parent.keys.size() == parent.values.size()) {
    ZEROSPOF_RETURN_IF_ERROR(check_duplicate(node));
    parent.keys.push_back(std::move(node));
  } else {
    parent.values.push_back(std::move(node));
  }
  return {};
}

util::Error first_diagnostic(fy_diag* diag, const SourceText& source) {
  void* iterator = nullptr;
  if (fy_diag_error* error = fy_diag_errors_iterate(diag, &iterator)) {
    util::SourceLocation where{source.file_name(), error->line + 1, error->column + 1};
    return source.error_at(where, fmt::format("invalid YAML: {}", error->msg ? error->msg : "?"),
                           "fix the YAML syntax at this position");
  }
  return source.error_at({source.file_name(), 0, 0}, "invalid YAML");
}

}  // namespace

bool YamlNode::is_null() const {
  return kind == Kind::kScalar && plain &&
         (scalar.empty() || scalar == "~" || scalar == "null" || scalar == "Null" ||
          scalar == "NULL");
}

const YamlNode* YamlNode::find(std::string_view key) const {
  for (size_t i = 0; i < keys.size() && i < values.size(); ++i)
    if (keys[i].is_scalar() && keys[i].scalar == key) return &values[i];
  return nullptr;
}

const char* YamlNode::kind_name() const {
  switch (kind) {
    case Kind::kScalar:
      return "a scalar";
    case Kind::kMapping:
      return "a mapping";
    case Kind::kSequence:
      return "a list";
  }
  return "?";
}

SourceText::SourceText(std::string file_name, const std::string& text)
    : file_name_(std::move(file_name)) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines_.push_back(std::move(line));
    start = end + 1;
  }
}

util::Error SourceText::error_at(const util::SourceLocation& where, std::string message,
                                 std::string hint) const {
  std::string_view line;
  if (where.line >= 1 && where.line <= static_cast<int>(lines_.size()))
    line = lines_[where.line - 1];
  return util::source_error(where.file.empty() ? file_name_ : where.file, where.line, where.column,
                            line, std::move(message), std::move(hint));
}

util::Result<std::vector<YamlNode>> parse_yaml(const std::string& text, const SourceText& source) {
  if (auto valid = check_utf8(text, source); !valid) return util::fail(valid.error());
  fy_diag_cfg diag_config;
  fy_diag_cfg_default(&diag_config);
  diag_config.fp = nullptr;
  diag_config.output_fn = [](fy_diag*, void*, const char*, size_t) {};
  std::unique_ptr<fy_diag, DiagDeleter> diag(fy_diag_create(&diag_config));
  if (!diag) return util::fail(util::Error::internal("cannot create a YAML diagnostic object"));
  fy_diag_set_collect_errors(diag.get(), true);
  fy_parse_cfg config{};
  config.flags = static_cast<fy_parse_cfg_flags>(FYPCF_QUIET | FYPCF_DISABLE_MMAP_OPT);
  config.diag = diag.get();
  std::unique_ptr<fy_parser, ParserDeleter> parser(fy_parser_create(&config));
  if (!parser || fy_parser_set_string(parser.get(), text.data(), text.size()) != 0)
    return util::fail(util::Error::internal("cannot create a YAML parser"));
  TreeBuilder builder(source);
  while (fy_event* event = fy_parser_parse(parser.get())) {
    util::Status status = builder.on_event(parser.get(), event);
    fy_parser_event_free(parser.get(), event);
    if (!status) return util::fail(status.error());
  }
  if (fy_parser_get_stream_error(parser.get()) || fy_diag_got_error(diag.get()))
    return util::fail(first_diagnostic(diag.get(), source));
  return builder.take_documents();
}

std::optional<ObjectIdentity> object_identity(const std::string& document) {
  auto parsed = parse_yaml(document, SourceText("<document>", document));
  if (!parsed || parsed->size() != 1 || !parsed->front().is_mapping()) return std::nullopt;
  const YamlNode& object = parsed->front();
  ObjectIdentity identity;
  if (const YamlNode* kind = object.find("kind"); kind && kind->is_scalar())
    identity.kind = kind->scalar;
  if (const YamlNode* metadata = object.find("metadata"); metadata && metadata->is_mapping())
    if (const YamlNode* name = metadata->find("name"); name && name->is_scalar())
      identity.name = name->scalar;
  return identity;
}

namespace {
struct DocumentFree {
  void operator()(fy_document* document) const { fy_document_destroy(document); }
};
struct CharFree {
  void operator()(char* text) const { std::free(text); }
};
}  // namespace

util::Result<std::string> merge_yaml(
    const std::string& document, const std::vector<std::pair<std::string, std::string>>& patches,
    const std::string& what) {
  std::unique_ptr<fy_document, DocumentFree> parsed(
      fy_document_build_from_string(nullptr, document.data(), document.size()));
  if (!parsed) return util::fail(util::Error::internal("cannot parse the " + what));
  for (const auto& [path, yaml] : patches) {
    fy_node* node = fy_node_build_from_string(parsed.get(), yaml.data(), yaml.size());
    if (!node || fy_document_insert_at(parsed.get(), path.c_str(), FY_NT, node) != 0)
      return util::fail(util::Error::internal(fmt::format("cannot patch {} at {}", what, path)));
  }
  std::unique_ptr<char, CharFree> text(fy_emit_document_to_string(
      parsed.get(),
      static_cast<fy_emitter_cfg_flags>(FYECF_MODE_BLOCK | FYECF_DOC_START_MARK_OFF)));
  if (!text) return util::fail(util::Error::internal("cannot write the patched " + what));
  return std::string(text.get());
}

}  // namespace zerospof::plan
