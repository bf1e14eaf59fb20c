// Node agents: kubelet + containerd on real hosts, kwok --manage-single-node in the lab, both
// with the node's own credentials (system:node:<name>) through the API endpoint.
#include <gtest/gtest.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

std::string unit_path(const char* name) { return std::string(layout::kUnitDir) + "/" + name; }

TEST(NodeAgentTest, RealHostsRunKubeletAndContainerd) {
  const Bundle& bundle = testing::rendered().bundle;
  const File* kubelet =
      testing::find_file(bundle, "micklethefickle", unit_path(layout::kKubeletUnit));
  ASSERT_NE(kubelet, nullptr);
  EXPECT_NE(kubelet->content.find(
                "--register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule"),
            std::string::npos);
  EXPECT_NE(testing::find_file(bundle, "blackboar", unit_path(layout::kContainerdUnit)), nullptr);
  const File* worker = testing::find_file(bundle, "blackboar", unit_path(layout::kKubeletUnit));
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(worker->content.find("register-with-taints"), std::string::npos);
  EXPECT_NE(worker->content.find("node.longhorn.io/create-default-disk=true"), std::string::npos);
  EXPECT_EQ(testing::find_file(bundle, "blackboar", unit_path(layout::kKwokUnit)), nullptr);
}

TEST(NodeAgentTest, LabHostsRunKwokForTheirOwnNode) {
  const Bundle& bundle = testing::rendered(testing::Variant::kLab).bundle;
  const File* kwok = testing::find_file(bundle, "cloudserver3", unit_path(layout::kKwokUnit));
  ASSERT_NE(kwok, nullptr);
  EXPECT_NE(kwok->content.find("--manage-single-node=cloudserver3"), std::string::npos);
  EXPECT_NE(kwok->content.find("--kubeconfig=/etc/zerospof/kubeconfig/kubelet.conf"),
            std::string::npos);
  EXPECT_EQ(testing::find_file(bundle, "cloudserver3", unit_path(layout::kKubeletUnit)), nullptr);
}

TEST(NodeAgentTest, NodeKubeconfigUsesTheEndpoint) {
  const File* vip = testing::find_file(testing::rendered().bundle, "blackboar",
                                       "/etc/zerospof/kubeconfig/kubelet.conf");
  ASSERT_NE(vip, nullptr);
  EXPECT_TRUE(vip->secret);
  EXPECT_NE(vip->content.find("server: https://198.18.7.100:6443\n"), std::string::npos);
  EXPECT_NE(vip->content.find("name: system:node:blackboar\n"), std::string::npos);
  const File* local = testing::find_file(testing::rendered(testing::Variant::kLocalProxy).bundle,
                                         "blackboar", "/etc/zerospof/kubeconfig/kubelet.conf");
  ASSERT_NE(local, nullptr);
  EXPECT_NE(local->content.find("server: https://127.0.0.1:6443\n"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::render
