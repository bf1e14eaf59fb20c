// The Kubernetes manifests match what `zerospof check` models: loading them and running the
// analysis on the built-in plan gives no service down, and CoreDNS is exactly the model's.
#include "render/manifests.h"

#include <gtest/gtest.h>

#include "analysis/analysis.h"
#include "plan/plan.h"
#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

model::Manifests load_rendered(const model::Cluster& cluster, const std::string& name) {
  RenderOptions options;
  options.upstream_dir = zerospof::testing::shared_path("upstream");
  auto files = render_manifests(cluster, options);
  EXPECT_TRUE(files) << (files ? "" : util::format_error(files.error()));
  Bundle bundle;
  if (files) bundle.files = *files;
  std::string directory = testing::temporary_directory(name);
  auto written = write_bundle(bundle, directory);
  EXPECT_TRUE(written);
  auto manifests = plan::load_manifests({directory + "/operator" + layout::kManifestDir});
  EXPECT_TRUE(manifests) << (manifests ? "" : util::format_error(manifests.error()));
  return manifests ? *manifests : model::Manifests{};
}

const model::Workload* find_workload(const model::Manifests& manifests, const std::string& name) {
  for (const model::Workload& workload : manifests.workloads)
    if (workload.name == name) return &workload;
  return nullptr;
}

TEST(ManifestsTest, BuiltinPlanRenderedManifestsTakeNoServiceDown) {
  // Given the built-in plan (no addresses needed for manifests), the analysis of what render
  // deploys should find no single point of failure.
  model::Cluster cluster = plan::builtin_plan();
  model::Manifests manifests = load_rendered(cluster, "builtin-manifests");
  EXPECT_GE(manifests.workloads.size(), 6u);
  analysis::Report report = analysis::analyse(cluster, manifests, analysis::Options{});
  EXPECT_FALSE(report.any_down()) << analysis::format_json(report).substr(0, 4000);
}

TEST(ManifestsTest, CorednsIsWhatTheAnalysisModels) {
  model::Manifests manifests = load_rendered(plan::builtin_plan(), "coredns");
  const model::Workload* coredns = find_workload(manifests, "coredns");
  ASSERT_NE(coredns, nullptr);
  EXPECT_EQ(coredns->namespace_name, "kube-system");
  EXPECT_EQ(coredns->replicas, 3);
  EXPECT_EQ(coredns->spread.required_key, model::SpreadKey::kHostname);
  EXPECT_TRUE(coredns->has_readiness_probe);
  EXPECT_TRUE(coredns->has_liveness_probe);
  EXPECT_GT(coredns->cpu_request_millicores, 0);
  bool budget = false;
  for (const model::DisruptionBudget& pdb : manifests.budgets)
    if (pdb.name == "coredns") {
      budget = true;
      EXPECT_EQ(pdb.max_unavailable, 1);
      EXPECT_TRUE(pdb.selector.matches(coredns->pod_labels));
    }
  EXPECT_TRUE(budget);
}

// CoreDNS resolves what is not the cluster's through the node's resolvers: with the default
// ClusterFirst policy its upstream would be its own Service, a loop its loop plugin kills it for
// (found by the lab's real pods: every CoreDNS pod in CrashLoopBackOff once one was Ready).
TEST(ManifestsTest, CorednsForwardsToTheNodesResolversNotToItself) {
  auto files = render_manifests(plan::builtin_plan(), {});
  ASSERT_TRUE(files.has_value());
  for (const File& file : *files) {
    if (file.path.find("10-coredns.yaml") == std::string::npos) continue;
    EXPECT_NE(file.content.find("forward . /etc/resolv.conf"), std::string::npos);
    EXPECT_NE(file.content.find("      dnsPolicy: Default\n"), std::string::npos) << file.content;
    return;
  }
  ADD_FAILURE() << "no 10-coredns.yaml";
}

TEST(ManifestsTest, ReplicasFollowThePlan) {
  std::string text = zerospof::testing::replace_once(
      plan::builtin_plan_yaml(), "replicas: 3\n    ingress", "replicas: 4\n    ingress");
  text = zerospof::testing::replace_once(text, "replicas: 3\n    monitoring",
                                         "replicas: 5\n    monitoring");
  model::Cluster cluster = zerospof::testing::load_plan(text);
  model::Manifests manifests = load_rendered(cluster, "replicas");
  ASSERT_NE(find_workload(manifests, "coredns"), nullptr);
  EXPECT_EQ(find_workload(manifests, "coredns")->replicas, 4);
  const model::Workload* ingress = find_workload(manifests, "ingress-nginx-controller");
  ASSERT_NE(ingress, nullptr);
  EXPECT_EQ(ingress->replicas, 5);
  EXPECT_EQ(ingress->spread.required_key, model::SpreadKey::kHostname);
}

TEST(ManifestsTest, EveryCriticalServiceHasABudget) {
  model::Manifests manifests = load_rendered(plan::builtin_plan(), "budgets");
  for (const model::Workload& workload : manifests.workloads) {
    // DaemonSets have no budget; longhorn-driver-deployer only installs the CSI driver once.
    if (workload.kind == model::WorkloadKind::kDaemonSet ||
        workload.name == "longhorn-driver-deployer")
      continue;
    bool covered = false;
    for (const model::DisruptionBudget& pdb : manifests.budgets)
      covered |= pdb.namespace_name == workload.namespace_name &&
                 pdb.selector.matches(workload.pod_labels);
    EXPECT_TRUE(covered) << workload.display_name();
  }
}

TEST(ManifestsTest, StorageAndPoliciesAreRendered) {
  model::Cluster cluster = plan::builtin_plan();
  EXPECT_NE(storage_manifest(cluster).find("kind: VolumeSnapshotClass"), std::string::npos);
  std::string policies = network_policies_manifest(cluster);
  EXPECT_NE(policies.find("name: default-deny-ingress\n  namespace: kube-system"),
            std::string::npos);
  EXPECT_NE(policies.find("name: allow-dns"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::render
