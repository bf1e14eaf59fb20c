// The pinned upstream manifests, patched for HA without editing the originals.
#include "render/upstream.h"

#include <gtest/gtest.h>

#include "plan/plan.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

std::string manifest(const std::vector<File>& files, const std::string& suffix) {
  for (const File& file : files)
    if (file.path.ends_with(suffix)) return file.content;
  ADD_FAILURE() << "no " << suffix;
  return "";
}

TEST(UpstreamTest, LonghornKeepsThePlansReplicaCount) {
  std::string text = zerospof::testing::replace_once(plan::builtin_plan_yaml(),
                                                     "provider: longhorn\n    replicas: 3",
                                                     "provider: longhorn\n    replicas: 2");
  RenderOptions options;
  options.upstream_dir = zerospof::testing::shared_path("upstream");
  auto files = upstream_manifests(zerospof::testing::load_plan(text), options);
  ASSERT_TRUE(files) << util::format_error(files.error());
  std::string longhorn = manifest(*files, "40-longhorn.yaml");
  EXPECT_NE(longhorn.find("numberOfReplicas: \"2\""), std::string::npos);
  EXPECT_NE(longhorn.find("default-replica-count: \"{\\\"v1\\\":\\\"2\\\",\\\"v2\\\":\\\"2\\\"}\""),
            std::string::npos);
  EXPECT_NE(longhorn.find("replica-soft-anti-affinity: \"false\""), std::string::npos);
  std::string calico = manifest(*files, "20-calico.yaml");
  EXPECT_NE(calico.find("- name: CALICO_IPV4POOL_CIDR\n              value: \"10.244.0.0/16\""),
            std::string::npos);
}

TEST(UpstreamTest, IngressAdmissionJobsOutliveTheirCompletion) {
  // Jobs that delete themselves on completion are missing at the next apply, which then
  // recreates them: an apply with nothing to do would change something.
  RenderOptions options;
  options.upstream_dir = zerospof::testing::shared_path("upstream");
  auto files = upstream_manifests(plan::builtin_plan(), options);
  ASSERT_TRUE(files) << util::format_error(files.error());
  std::string ingress = manifest(*files, "30-ingress-nginx.yaml");
  EXPECT_NE(ingress.find("name: ingress-nginx-admission-patch\n"), std::string::npos);
  EXPECT_EQ(ingress.find("ttlSecondsAfterFinished"), std::string::npos);
}

TEST(UpstreamTest, MissingUpstreamDirectoryIsAnErrorWithAHint) {
  RenderOptions options;
  options.upstream_dir = "/nonexistent";
  auto files = upstream_manifests(plan::builtin_plan(), options);
  ASSERT_FALSE(files);
  EXPECT_NE(files.error().hint.find("--upstream"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::render
