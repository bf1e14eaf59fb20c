// One pin, one place: versions.env pins the upstream programs, the C++ build reads it
// (model/pinned_versions.h) and lab/binaries/build.sh sources it. What cannot read it (the
// go.mod files of lab/binaries, which Go needs literally; the docs; the scripts) is compared
// with it here, so a copy that disagrees fails the build's tests instead of a lab run.
#include "model/pinned_versions.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "plan/plan.h"

namespace zerospof::model {
namespace {

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(ZEROSPOF_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in.good()) << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every match of `pattern`'s first group in the file, with the line it was found on.
std::vector<std::pair<std::string, std::string>> found(const std::string& relative,
                                                       const std::string& pattern) {
  std::vector<std::pair<std::string, std::string>> values;
  std::istringstream lines(read_source(relative));
  std::string line;
  const std::regex expression(pattern);
  while (std::getline(lines, line)) {
    for (std::sregex_iterator match(line.begin(), line.end(), expression), end; match != end;
         ++match)
      values.emplace_back((*match)[1].str(), line);
  }
  return values;
}

// "v1.37.2" -> "v0.37.2": the version of the Kubernetes staging modules of the same release.
std::string staging_version(std::string_view kubernetes) {
  return "v0." + std::string(kubernetes.substr(kubernetes.find('.') + 1));
}

TEST(PinnedVersionsTest, TheBuildScriptSourcesTheSharedPinsAndRestatesNone) {
  std::string script = read_source("lab/binaries/build.sh");
  EXPECT_NE(script.find("source \"$here/../../versions.env\""), std::string::npos);
  EXPECT_TRUE(found("lab/binaries/build.sh", R"((v[0-9]+\.[0-9]+\.[0-9]+))").empty());
}

TEST(PinnedVersionsTest, TheGoModulesRequireThePinnedVersions) {
  auto etcd = found("lab/binaries/etcd/go.mod", R"(go\.etcd\.io/etcd/(?:server|etcdctl)/v3 (\S+))");
  ASSERT_EQ(etcd.size(), 2u);
  for (const auto& [version, line] : etcd) EXPECT_EQ(version, pinned::kEtcdVersion) << line;

  auto kwok = found("lab/binaries/kwok/go.mod", R"(sigs\.k8s\.io/kwok (\S+))");
  ASSERT_EQ(kwok.size(), 1u);
  EXPECT_EQ(kwok[0].first, pinned::kKwokVersion) << kwok[0].second;

  // `require k8s.io/kubernetes vX` or, in a require block, the line `\tk8s.io/kubernetes vX`.
  auto kubernetes =
      found("lab/binaries/kubernetes/go.mod", R"(^(?:require )?\s*k8s\.io/kubernetes (v\S+)$)");
  ASSERT_EQ(kubernetes.size(), 1u);
  EXPECT_EQ(kubernetes[0].first, pinned::kKubernetesVersion);
  auto staging = found("lab/binaries/kubernetes/go.mod", R"(=> k8s\.io/\S+ (\S+))");
  ASSERT_FALSE(staging.empty());
  for (const auto& [version, line] : staging)
    EXPECT_EQ(version, staging_version(pinned::kKubernetesVersion)) << line;

  auto containerd = found("lab/binaries/containerd/go.mod",
                          R"(^(?:require )?\s*github\.com/containerd/containerd/v2 (v\S+)$)");
  ASSERT_EQ(containerd.size(), 1u);
  EXPECT_EQ(containerd[0].first, pinned::kContainerdVersion) << containerd[0].second;

  const std::pair<const char*, std::string_view> pods[] = {{"runc", pinned::kRuncVersion},
                                                           {"cni", pinned::kCniPluginsVersion},
                                                           {"coredns", pinned::kCoreDnsVersion}};
  const std::map<std::string, std::string> module_of{
      {"runc", "github\\.com/opencontainers/runc"},
      {"cni", "github\\.com/containernetworking/plugins"},
      {"coredns", "github\\.com/coredns/coredns"}};
  for (const auto& [dir, version] : pods) {
    auto required = found(std::string("lab/binaries/") + dir + "/go.mod",
                          "^(?:require )?\\s*" + module_of.at(dir) + " (v\\S+)$");
    ASSERT_EQ(required.size(), 1u) << dir;
    EXPECT_EQ(required[0].first, version) << required[0].second;
  }
}

TEST(PinnedVersionsTest, TheBuiltInPlanRunsThePinnedKubernetes) {
  EXPECT_EQ(plan::builtin_plan().kubernetes.version, pinned::kKubernetesVersion);
}

// The docs and scripts name the default binary cache verbatim, so their commands must name the
// one build.sh fills.
TEST(PinnedVersionsTest, DocsAndScriptsNameThePinnedBinaryCache) {
  for (const char* file : {"README.md", "docs/apply.md", "docs/lab.md", "docs/render.md",
                           "docs/plan.md", "scripts/bench-apply.sh"}) {
    for (const auto& [version, line] : found(file, R"(binaries/(v[0-9]+\.[0-9]+\.[0-9]+))"))
      EXPECT_EQ(version, pinned::kKubernetesVersion) << file << ": " << line;
  }
}

TEST(PinnedVersionsTest, TheLabDocTableListsThePinnedVersions) {
  auto rows = found("docs/lab.md", R"(\| (v[0-9]+\.[0-9]+\.[0-9]+) \|$)");
  const std::string_view expected[] = {pinned::kKubernetesVersion, pinned::kEtcdVersion,
                                       pinned::kKwokVersion,       pinned::kContainerdVersion,
                                       pinned::kRuncVersion,       pinned::kCniPluginsVersion,
                                       pinned::kCoreDnsVersion,    pinned::kAgnhostVersion,
                                       pinned::kEtcdVersion,       pinned::kPauseVersion};
  ASSERT_EQ(rows.size(), std::size(expected));
  for (std::size_t row = 0; row < rows.size(); ++row)
    EXPECT_EQ(rows[row].first, expected[row]) << rows[row].second;
}

}  // namespace
}  // namespace zerospof::model
