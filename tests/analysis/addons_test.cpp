// One truth for what render deploys (issue 12): the analysis models zerospof's own addons
// (addons.cpp) without reading render's files, so the two can drift, and have (the
// snapshot-controller reached render first). Here render's manifests for the built-in plan and
// its variants go through check's own manifest loader and are compared with the model workload
// by workload: kind, replicas, spread, probes and a PodDisruptionBudget.
#include "analysis/addons.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "plan/plan.h"
#include "render/render.h"
#include "support/scratch_directory.h"
#include "support/test_plans.h"

namespace zerospof::analysis {
namespace {

// Modelled, never written by render: an operator creates them at run time.
const std::set<std::string> kMadeAtRunTime{
    "deployment/longhorn-system/csi-attacher", "deployment/longhorn-system/csi-provisioner",
    "deployment/longhorn-system/csi-resizer", "deployment/longhorn-system/csi-snapshotter"};

// Written by render, not modelled, each for its reason.
const std::map<std::string, std::string> kNotModelled{
    {"deployment/longhorn-system/longhorn-ui", "a web UI: nothing fails over through it"},
    {"deployment/longhorn-system/longhorn-driver-deployer",
     "runs once to create the CSI sidecars, which are modelled"},
};

model::Manifests rendered(const model::Cluster& cluster) {
  zerospof::testing::ScratchDirectory pki("zerospof-addons-test");
  render::RenderOptions options;
  options.pki_dir = pki.path();
  auto files = render::render_manifests(cluster, options);
  EXPECT_TRUE(files.has_value()) << (files ? "" : files.error().message);
  std::vector<plan::NamedText> texts;
  if (files)
    for (const render::File& file : *files) texts.push_back({file.path, file.content});
  auto loaded = plan::load_manifests_from_strings(texts);
  EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : util::format_error(loaded.error()));
  return loaded ? *loaded : model::Manifests{};
}

void expect_one_truth(const std::string& plan_text, const std::string& variant) {
  SCOPED_TRACE(variant);
  const model::Cluster cluster = zerospof::testing::load_plan(plan_text);
  const model::Manifests modelled = deployed_addons(cluster);
  const model::Manifests written = rendered(cluster);
  std::map<std::string, const model::Workload*> by_name;
  for (const model::Workload& workload : written.workloads)
    by_name[workload.display_name()] = &workload;

  std::set<std::string> seen;
  for (const model::Workload& model_workload : modelled.workloads) {
    const std::string name = model_workload.display_name();
    seen.insert(name);
    auto found = by_name.find(name);
    if (kMadeAtRunTime.count(name)) {
      EXPECT_EQ(found, by_name.end()) << name << " is written by render now: compare it";
      continue;
    }
    ASSERT_NE(found, by_name.end()) << "the analysis models " << name << ", render writes no such";
    const model::Workload& real = *found->second;
    EXPECT_EQ(real.kind, model_workload.kind) << name;
    if (real.kind != model::WorkloadKind::kDaemonSet) {
      EXPECT_EQ(real.replicas, model_workload.replicas) << name;
    }
    EXPECT_EQ(real.spread.required_key, model_workload.spread.required_key) << name;
    // The probes as the loader judges them: on the containers that declare a port (the
    // longhorn-manager's, not its image-pulling sidecar's), with render's liveness probe.
    EXPECT_EQ(real.has_readiness_probe, model_workload.has_readiness_probe) << name;
    EXPECT_EQ(real.has_liveness_probe, model_workload.has_liveness_probe) << name;
    bool modelled_budget = std::any_of(
        modelled.budgets.begin(), modelled.budgets.end(),
        [&](const model::DisruptionBudget& budget) { return budget.name == model_workload.name; });
    bool written_budget = std::any_of(written.budgets.begin(), written.budgets.end(),
                                      [&](const model::DisruptionBudget& budget) {
                                        return budget.namespace_name == real.namespace_name &&
                                               budget.selector.matches(real.pod_labels);
                                      });
    EXPECT_EQ(written_budget, modelled_budget) << name << ": a PodDisruptionBudget";
  }
  for (const auto& [name, workload] : by_name)
    if (!seen.count(name) && !kNotModelled.count(name))
      ADD_FAILURE() << "render writes " << name << ", which the analysis does not model";
}

TEST(AddonsTest, TheModelIsWhatRenderWritesForTheBuiltInPlan) {
  expect_one_truth(plan::builtin_plan_yaml(), "built-in plan");
}

TEST(AddonsTest, TheModelFollowsThePlansAddonsAsRenderDoes) {
  using zerospof::testing::replace_once;
  const std::string plan = plan::builtin_plan_yaml();
  expect_one_truth(replace_once(plan, "coredns:\n      replicas: 3", "coredns:\n      replicas: 5"),
                   "5 CoreDNS replicas");
  expect_one_truth(replace_once(plan, "provider: ingress-nginx\n      replicas: 3",
                                "provider: ingress-nginx\n      replicas: 2"),
                   "2 ingress replicas");
  expect_one_truth(
      replace_once(plan, "monitoring:\n      enabled: true", "monitoring:\n      enabled: false"),
      "no monitoring");
}

}  // namespace
}  // namespace zerospof::analysis
