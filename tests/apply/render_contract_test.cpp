// The contract between render and apply, checked on real rendered bundles: apply starts every
// unit render wrote and no other, installs every program a rendered unit starts, and reaches
// etcd at the endpoints and with the credentials render gave it. Both sides read render/layout.h;
// these tests fail if either side drifts from it.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "apply/apply.h"
#include "apply/build_steps.h"
#include "apply/steps.h"
#include "model/versions.h"
#include "render/layout.h"
#include "render/render.h"
#include "support/recording_transport.h"
#include "support/test_plans.h"

namespace zerospof::apply {
namespace {

namespace layout = render::layout;

struct Rendered {
  model::Cluster cluster;
  render::Bundle bundle;
  StepGraph graph;
};

// Every program a rendered plan may start, at the versions apply accepts.
std::vector<Binary> full_cache(const model::Cluster& cluster) {
  std::vector<Binary> cache;
  for (const char* name :
       {"etcd", "etcdctl", "kwok", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
        "kubectl", "kubelet", "kube-proxy", "containerd", "containerd-shim-runc-v2", "runc"}) {
    std::string version =
        model::required_version(name, cluster.kubernetes.version).value_or("v1.0.0");
    cache.push_back({name, version, std::string(64, 'a'), std::string("/cache/") + name});
  }
  return cache;
}

const Rendered& rendered(bool lab) {
  static std::map<bool, Rendered> cache;  // PKI generation is slow: once per binary
  auto found = cache.find(lab);
  if (found != cache.end()) return found->second;
  Rendered& result = cache[lab];
  result.cluster = testing::load_plan(testing::addressed_plan());
  std::string pattern = std::filesystem::temp_directory_path() / "zerospof-contract-XXXXXX";
  std::string directory = ::mkdtemp(pattern.data());
  auto bundle = render::render(result.cluster, {.pki_dir = directory + "/pki",
                                                .lab = lab,
                                                .upstream_dir = testing::shared_path("upstream")});
  std::filesystem::remove_all(directory);
  EXPECT_TRUE(bundle.has_value()) << (bundle ? "" : bundle.error().message);
  if (!bundle) return result;
  result.bundle = std::move(*bundle);
  ApplyInputs inputs{.cluster = result.cluster,
                     .bundle = result.bundle,
                     .binaries = full_cache(result.cluster),
                     .operator_dir = "/state/operator",
                     .kubectl = "/cache/kubectl"};
  auto graph = build_steps(inputs);
  EXPECT_TRUE(graph.has_value()) << (graph ? "" : graph.error().message);
  if (graph) result.graph = std::move(*graph);
  return result;
}

// (host, name) of every step whose id is "<kind>/<name>@<host>".
std::set<std::pair<std::string, std::string>> steps_of_kind(const StepGraph& graph,
                                                            const std::string& kind) {
  std::set<std::pair<std::string, std::string>> found;
  for (const auto& step : graph.steps()) {
    if (!step.id.starts_with(kind + "/")) continue;
    std::size_t at = step.id.rfind('@');
    found.emplace(step.id.substr(at + 1), step.id.substr(kind.size() + 1, at - kind.size() - 1));
  }
  return found;
}

bool has_file(const render::Bundle& bundle, const std::string& host, const std::string& path) {
  for (const auto& file : bundle.files)
    if (file.host == host && file.path == path) return true;
  return false;
}

// Given a rendered bundle, apply should start exactly the units render wrote (their files in
// the unit directory, or the configuration of a Debian package's unit), on the same hosts.
void expect_started_units_are_rendered_units(bool lab) {
  const Rendered& r = rendered(lab);
  std::set<std::pair<std::string, std::string>> written;
  for (const auto& file : r.bundle.files) {
    std::string unit = layout::unit_at(file.path);
    if (!unit.empty()) written.emplace(file.host, unit);
    for (const auto& package : layout::kEndpointPackageUnits)
      if (file.path == package.config) written.emplace(file.host, package.unit);
    if (file.path == layout::kNftablesConfig) written.emplace(file.host, layout::kNftablesUnit);
  }
  ASSERT_FALSE(written.empty());
  EXPECT_EQ(steps_of_kind(r.graph, "service"), written);
}

TEST(RenderContractTest, ApplyStartsExactlyTheUnitsRenderWrote) {
  expect_started_units_are_rendered_units(false);
}

TEST(RenderContractTest, ApplyStartsExactlyTheUnitsRenderWroteInTheLab) {
  expect_started_units_are_rendered_units(true);
}

// Given the plan's roles, the units apply orders by phase are the ones render named for them.
TEST(RenderContractTest, EveryMemberGetsTheUnitOfItsRole) {
  const Rendered& r = rendered(true);
  auto services = steps_of_kind(r.graph, "service");
  for (const auto* node : r.cluster.nodes_with_role(model::Role::kEtcd))
    EXPECT_EQ(services.count({node->name, layout::kEtcdUnit}), 1u) << node->name;
  for (const auto* node : r.cluster.nodes_with_role(model::Role::kControlPlane)) {
    for (const char* unit :
         {layout::kApiserverUnit, layout::kControllerManagerUnit, layout::kSchedulerUnit})
      EXPECT_EQ(services.count({node->name, unit}), 1u) << node->name << " " << unit;
  }
  for (const auto& node : r.cluster.nodes)
    EXPECT_EQ(services.count({node.name, layout::kKwokUnit}), 1u) << node.name;
}

// Given a unit that starts kBinDir/NAME, apply should install NAME on that host.
TEST(RenderContractTest, ApplyInstallsEveryProgramARenderedUnitStarts) {
  const Rendered& r = rendered(true);
  auto installed = steps_of_kind(r.graph, "binary");
  const std::string start = "ExecStart=" + layout::binary_path("");
  int checked = 0;
  for (const auto& file : r.bundle.files) {
    if (layout::unit_at(file.path).empty()) continue;
    std::size_t at = file.content.find(start);
    if (at == std::string::npos) continue;
    at += start.size();
    std::string name = file.content.substr(at, file.content.find_first_of(" \t\n\\", at) - at);
    EXPECT_EQ(installed.count({file.host, name}), 1u) << file.host << " " << name;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// Given the rendered etcd members, apply should reach them where they listen and with
// credentials render wrote on the member apply asks from.
TEST(RenderContractTest, EtcdAccessNamesRenderedEndpointsAndCredentials) {
  const Rendered& r = rendered(true);
  auto access = etcd_access(r.cluster, r.bundle);
  ASSERT_TRUE(access.has_value()) << access.error().message;
  auto members = r.cluster.nodes_with_role(model::Role::kEtcd);
  ASSERT_EQ(access->endpoints.size(), members.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    std::string etcd_unit;
    for (const auto& file : r.bundle.files)
      if (file.host == members[i]->name && file.path == layout::unit_path(layout::kEtcdUnit))
        etcd_unit = file.content;
    EXPECT_NE(etcd_unit.find("--advertise-client-urls=" + access->endpoints[i]), std::string::npos)
        << access->endpoints[i];
  }
  for (const auto& path : {access->ca, access->cert, access->key})
    EXPECT_TRUE(has_file(r.bundle, members.front()->name, path)) << path;
}

// Every step `id` waits for, directly or through others.
std::set<std::string> transitive_deps(const StepGraph& graph, const std::string& id) {
  std::set<std::string> seen;
  std::vector<std::string> todo{id};
  while (!todo.empty()) {
    const Step* step = graph.find(todo.back());
    todo.pop_back();
    if (step == nullptr) continue;
    for (const auto& dep : step->deps)
      if (seen.insert(dep).second) todo.push_back(dep);
  }
  return seen;
}

// issue 11, item 13: a re-apply that changes every file of every host (a certificate reissue)
// restarts everything, so no two instances of one service may be away at once: for every unit,
// its steps on any two hosts are ordered, one waiting (at least indirectly) for the other.
void expect_every_service_rolls(const StepGraph& graph) {
  std::map<std::string, std::vector<std::string>> steps_of_unit;
  for (const auto& [host, unit] : steps_of_kind(graph, "service"))
    steps_of_unit[unit].push_back("service/" + unit + "@" + host);
  ASSERT_GE(steps_of_unit.size(), 5u);
  for (const auto& [unit, steps] : steps_of_unit) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      for (std::size_t j = i + 1; j < steps.size(); ++j) {
        bool ordered = transitive_deps(graph, steps[i]).count(steps[j]) != 0 ||
                       transitive_deps(graph, steps[j]).count(steps[i]) != 0;
        EXPECT_TRUE(ordered) << steps[i] << " and " << steps[j] << " may run at once";
      }
    }
  }
}

TEST(RenderContractTest, EveryServiceRollsOneHostAtATime) {
  expect_every_service_rolls(rendered(false).graph);
}

TEST(RenderContractTest, EveryServiceRollsOneHostAtATimeInTheLab) {
  expect_every_service_rolls(rendered(true).graph);
}

// HAProxy has the others to send requests to: an apiserver is (re)started only once the one
// before it answers /readyz again.
TEST(RenderContractTest, AnApiserverRestartsOnlyOnceThePreviousOneIsReadyAgain) {
  const StepGraph& graph = rendered(true).graph;
  std::vector<std::string> hosts;
  for (const auto* node : rendered(true).cluster.nodes_with_role(model::Role::kControlPlane))
    hosts.push_back(node->name);
  ASSERT_EQ(hosts.size(), 3u);
  for (std::size_t i = 1; i < hosts.size(); ++i) {
    auto deps =
        transitive_deps(graph, fmt::format("service/{}@{}", layout::kApiserverUnit, hosts[i]));
    EXPECT_EQ(deps.count("apiserver/ready@" + hosts[i - 1]), 1u) << hosts[i];
  }
  EXPECT_EQ(transitive_deps(graph, "apiserver/ready@" + hosts[0])
                .count(fmt::format("service/{}@{}", layout::kApiserverUnit, hosts[1])),
            0u);
}

// Debian's HAProxy, keepalived and nftables take a new configuration by a reload where they run
// (no refused connection, no VIP move, no flushed CNI table); zerospof's own units restart.
TEST(RenderContractTest, DebiansServicesReloadInPlaceAndZerospofsRestart) {
  const StepGraph& graph = rendered(false).graph;
  std::map<std::string, bool> reloads{
      {layout::kHaproxyUnit, true},    {layout::kKeepalivedUnit, true},
      {layout::kNftablesUnit, true},   {layout::kApiserverUnit, false},
      {layout::kSchedulerUnit, false}, {layout::kVipFitnessUnit, false}};
  for (const auto& [unit, reload] : reloads) {
    const Step* step = graph.find(fmt::format("service/{}@micklethefickle", unit));
    ASSERT_NE(step, nullptr) << unit;
    testing::RecordingTransport host;
    ASSERT_TRUE(step->run(host));
    ASSERT_EQ(host.calls_of("run").size(), 1u);
    std::string script = host.calls_of("run")[0];
    std::string quoted = transport::shell_quote(unit);
    EXPECT_EQ(script.find("systemctl reload-or-restart " + quoted) != std::string::npos, reload)
        << script;
    EXPECT_EQ(script.find("systemctl restart " + quoted) != std::string::npos, !reload) << script;
  }
}

}  // namespace
}  // namespace zerospof::apply
