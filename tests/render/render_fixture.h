// Shared by the render tests (header-only: the test glob compiles *_test.cpp): the built-in plan
// with addresses (VIP mode, and a local-proxy variant) rendered once per test binary into a
// temporary directory with its own PKI, and helpers to find files and to run the real validating
// programs.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "render/render.h"
#include "support/test_plans.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::render::testing {

struct Rendered {
  model::Cluster cluster;
  RenderOptions options;
  Bundle bundle;
  std::string directory;  // written with write_bundle
};

enum class Variant { kVip, kLocalProxy, kLab };

std::string temporary_directory(const std::string& name);

namespace detail {

struct RemoveAtExit {
  std::string path;
  ~RemoveAtExit() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

inline std::string plan_text(Variant variant) {
  std::string text = zerospof::testing::addressed_plan();
  if (variant == Variant::kLocalProxy) {
    text = zerospof::testing::replace_once(text, "mode: vip", "mode: local-proxy");
    text = zerospof::testing::replace_once(text, "    address: 198.18.7.100\n", "");
  }
  return text;
}

inline Rendered make(Variant variant) {
  Rendered result;
  result.cluster = zerospof::testing::load_plan(plan_text(variant));
  std::string base = temporary_directory("render-" + std::to_string(static_cast<int>(variant)));
  result.options.pki_dir = base + "/pki";
  result.options.upstream_dir = zerospof::testing::shared_path("upstream");
  result.options.lab = variant == Variant::kLab;
  auto bundle = render(result.cluster, result.options);
  if (!bundle) ADD_FAILURE() << util::format_error(bundle.error());
  if (bundle) result.bundle = std::move(*bundle);
  result.directory = base + "/out";
  auto written = write_bundle(result.bundle, result.directory);
  if (!written) ADD_FAILURE() << util::format_error(written.error());
  return result;
}

}  // namespace detail

inline const Rendered& rendered(Variant variant = Variant::kVip) {
  static std::map<Variant, Rendered> cache;  // test-binary scope: PKI generation is slow
  auto it = cache.find(variant);
  if (it == cache.end()) it = cache.emplace(variant, detail::make(variant)).first;
  return it->second;
}

inline std::string temporary_directory(const std::string& name) {
  static const std::string root = [] {
    std::string pattern = std::filesystem::temp_directory_path() / "zerospof-render-test-XXXXXX";
    return std::string(::mkdtemp(pattern.data()));
  }();
  static const detail::RemoveAtExit cleanup{root};
  std::string path = root + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

inline const File* find_file(const Bundle& bundle, const std::string& host,
                             const std::string& path) {
  for (const File& file : bundle.files)
    if (file.host == host && file.path == path) return &file;
  return nullptr;
}

inline std::string written_path(const Rendered& rendered, const std::string& host,
                                const std::string& path) {
  return rendered.directory + "/" + (host.empty() ? "operator" : host) + path;
}

inline std::string find_program(const std::vector<std::string>& candidates) {
  for (const std::string& candidate : candidates)
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  return "";
}

inline util::ProcessResult run_program(const std::vector<std::string>& argv) {
  auto result = util::run(argv);
  if (!result) {
    ADD_FAILURE() << util::format_error(result.error());
    return {};
  }
  return *result;
}

inline void write_text(const std::string& path, const std::string& content, unsigned mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  auto written = util::write_file_atomic(path, content, {static_cast<mode_t>(mode), true});
  if (!written) ADD_FAILURE() << util::format_error(written.error());
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace zerospof::render::testing
