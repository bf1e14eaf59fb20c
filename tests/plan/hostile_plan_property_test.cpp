// Issue 11: hostile strings in any string field of a plan are either refused with file:line:col,
// or rendered inert. "Inert" is checked against a render of the unmodified plan: every unit has
// the same sections and keys in the same order (a newline in a value would add a line such as
// ExecStartPre=), and every YAML file parses into the same number of documents with the same
// top-level keys (a quote and a newline would add an object).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <vector>

#include "model/pinned_versions.h"
#include "plan/plan.h"
#include "plan/yaml.h"
#include "render/render.h"
#include "support/scratch_directory.h"
#include "support/test_plans.h"

namespace zerospof::plan {
namespace {

// Where a value is written in the plan text: the line to replace, and the key that goes back in
// with the hostile value (as a double-quoted scalar, so any byte can be written).
struct Field {
  std::string line;
  std::string key;
};

const std::vector<Field>& fields() {
  static const std::vector<Field> all = {
      {"  name: bolabaden\n", "  name: "},
      {"    - name: blackboar\n", "    - name: "},
      {"      host: blackboar.bolabaden.org\n", "      host: "},
      {"      host: cloudserver3.bolabaden.org\n",
       "      host: cloudserver3.bolabaden.org\n"
       "      zone: "},
      {"      host: cloudserver2.bolabaden.org\n",
       "      host: cloudserver2.bolabaden.org\n"
       "      ssh:\n        user: "},
      {"      host: cloudserver1.bolabaden.org\n",
       "      host: cloudserver1.bolabaden.org\n"
       "      ssh:\n        identityFile: "},
      {"    version: " + std::string(model::pinned::kKubernetesVersion) + "\n", "    version: "},
      {"    provider: longhorn\n", "    provider: "},
      {"      peering: full-mesh\n",
       "      peering: route-reflectors\n      routeReflectors: ["
       "blackboar, "},
  };
  return all;
}

// A YAML double-quoted scalar holding exactly `value`.
std::string double_quoted(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

rc::Gen<std::string> hostile_string() {
  static const std::vector<std::string> pieces = {"\n",
                                                  "\r",
                                                  "\"",
                                                  "'",
                                                  "$(id)",
                                                  "`id`",
                                                  ";",
                                                  "%",
                                                  "%n",
                                                  std::string(1, '\0'),
                                                  "\\",
                                                  "{",
                                                  "}",
                                                  "---",
                                                  "#",
                                                  ": ",
                                                  " ",
                                                  "\nExecStartPre=/bin/sh -c id\n",
                                                  "\"\n---\nkind: ClusterRoleBinding\n",
                                                  "\x1b[31m",
                                                  "true",
                                                  "null",
                                                  "1.0",
                                                  "zone-a",
                                                  "eu_west.1",
                                                  "cp",
                                                  "a",
                                                  "-x",
                                                  "@",
                                                  std::string(10000, 'a')};
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(pieces)),
                      [](const std::vector<std::string>& chosen) {
                        std::string out;
                        for (const std::string& piece : chosen) out += piece;
                        return out;
                      });
}

std::string temporary_directory() {
  static const testing::ScratchDirectory root("zerospof-hostile");
  return root.path();
}

render::RenderOptions options(bool lab) {
  render::RenderOptions result;
  result.pki_dir = temporary_directory() + "/pki";
  result.upstream_dir = testing::shared_path("upstream");
  result.lab = lab;
  return result;
}

// The shape of a rendered file: for a unit, its sections and keys in order; for YAML, per
// document its top-level keys. Values are left out: they are what the plan may change.
std::vector<std::string> shape(const render::File& file) {
  std::vector<std::string> out;
  if (file.path.ends_with(".service")) {
    std::string logical;
    size_t start = 0;
    while (start < file.content.size()) {
      size_t end = file.content.find('\n', start);
      if (end == std::string::npos) end = file.content.size();
      std::string line = file.content.substr(start, end - start);
      start = end + 1;
      if (!line.empty() && line.back() == '\\') continue;  // a continued ExecStart argument
      if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == ' ') continue;
      out.push_back(line[0] == '[' ? line : line.substr(0, line.find('=')));
    }
    return out;
  }
  if (file.secret) return out;
  SourceText source(file.path, file.content);
  auto documents = parse_yaml(file.content, source);
  if (!documents) return {"not YAML"};
  for (const YamlNode& document : *documents) {
    out.push_back("---");
    for (const YamlNode& key : document.keys) out.push_back(key.scalar);
  }
  return out;
}

// (index of the file's node, path) -> shape; node names may be what the test changed.
std::map<std::pair<int, std::string>, std::vector<std::string>> shapes(
    const model::Cluster& cluster, const render::Bundle& bundle) {
  std::map<std::pair<int, std::string>, std::vector<std::string>> out;
  for (const render::File& file : bundle.files) {
    int index = -1;
    for (size_t i = 0; i < cluster.nodes.size(); ++i)
      if (cluster.nodes[i].name == file.host) index = static_cast<int>(i);
    out[{index, file.path}] = shape(file);
  }
  return out;
}

const std::map<std::pair<int, std::string>, std::vector<std::string>>& baseline(bool lab) {
  static std::map<bool, std::map<std::pair<int, std::string>, std::vector<std::string>>> cache;
  auto found = cache.find(lab);
  if (found != cache.end()) return found->second;
  model::Cluster cluster = testing::load_plan(testing::addressed_plan());
  auto bundle = render::render(cluster, options(lab));
  EXPECT_TRUE(bundle.has_value());
  return cache[lab] = shapes(cluster, bundle ? *bundle : render::Bundle{});
}

RC_GTEST_PROP(HostilePlanTest, IsRefusedAtItsPositionOrRenderedInert, ()) {
  const Field& field = *rc::gen::elementOf(fields());
  const std::string value = *hostile_string();
  std::string text = testing::addressed_plan();
  size_t at = text.find(field.line);
  RC_ASSERT(at != std::string::npos);
  std::string replacement = field.key + double_quoted(value);
  replacement += field.key.ends_with("[blackboar, ") ? "]\n" : "\n";
  text.replace(at, field.line.size(), replacement);

  auto cluster = load_from_string(text, "plan.yaml");
  if (!cluster) {
    RC_ASSERT(cluster.error().code == util::ErrorCode::kInvalidInput);
    RC_ASSERT(cluster.error().where.file == "plan.yaml");
    RC_ASSERT(cluster.error().where.line > 0);
    RC_ASSERT(cluster.error().where.column > 0);
    return;
  }
  for (bool lab : {false, true}) {
    auto bundle = render::render(*cluster, options(lab));
    RC_ASSERT(bundle.has_value());
    auto rendered = shapes(*cluster, *bundle);
    const auto& expected = baseline(lab);
    RC_ASSERT(rendered.size() == expected.size());
    for (const auto& [file, shape] : expected)
      if (rendered[file] != shape) RC_FAIL("the value changed the shape of " + file.second);
  }
}

}  // namespace
}  // namespace zerospof::plan
