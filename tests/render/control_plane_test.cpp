// The control plane units: the apiserver's etcd, service-account, front-proxy and audit flags,
// and leader-elected controller-manager and scheduler on their own node's apiserver.
#include <gtest/gtest.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

std::string unit(const std::string& node, const char* name) {
  const File* file = testing::find_file(testing::rendered().bundle, node,
                                        std::string(layout::kUnitDir) + "/" + name);
  EXPECT_NE(file, nullptr) << node << " " << name;
  return file ? file->content : "";
}

TEST(ControlPlaneTest, ApiserverTalksToEveryEtcdMemberOverMutualTls) {
  std::string text = unit("cloudserver1", layout::kApiserverUnit);
  for (const char* flag :
       {"--etcd-servers=https://198.18.7.11:2379,https://198.18.7.12:2379,https://198.18.7.13:2379",
        "--etcd-certfile=/etc/zerospof/pki/apiserver-etcd-client.crt",
        "--advertise-address=198.18.7.12", "--secure-port=6444",
        "--service-cluster-ip-range=10.96.0.0/12", "--authorization-mode=Node,RBAC",
        "--service-account-issuer=", "--service-account-signing-key-file=",
        "--requestheader-client-ca-file=", "--proxy-client-cert-file=",
        "--audit-policy-file=/etc/zerospof/audit-policy.yaml",
        "--audit-log-path=", "--default-unreachable-toleration-seconds=300"})
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
}

TEST(ControlPlaneTest, ControllersAreLeaderElectedOnTheLocalApiserver) {
  for (const char* name : {layout::kControllerManagerUnit, layout::kSchedulerUnit}) {
    std::string text = unit("micklethefickle", name);
    for (const char* flag :
         {"--leader-elect=true", "--leader-elect-lease-duration=15000ms",
          "--leader-elect-renew-deadline=10000ms", "--leader-elect-retry-period=2000ms"})
      EXPECT_NE(text.find(flag), std::string::npos) << name << " " << flag;
  }
  EXPECT_NE(unit("micklethefickle", layout::kControllerManagerUnit)
                .find("--node-monitor-grace-period=40000ms"),
            std::string::npos);
  for (const char* conf : {"controller-manager", "scheduler"}) {
    const File* kubeconfig =
        testing::find_file(testing::rendered().bundle, "cloudserver2",
                           std::string(layout::kKubeconfigDir) + "/" + conf + ".conf");
    ASSERT_NE(kubeconfig, nullptr);
    EXPECT_TRUE(kubeconfig->secret);
    EXPECT_NE(kubeconfig->content.find("server: https://127.0.0.1:6444\n"), std::string::npos);
  }
}

TEST(ControlPlaneTest, WorkersRunNoControlPlane) {
  EXPECT_EQ(testing::find_file(testing::rendered().bundle, "cloudserver3",
                               std::string(layout::kUnitDir) + "/" + layout::kApiserverUnit),
            nullptr);
  EXPECT_EQ(
      testing::find_file(testing::rendered().bundle, "cloudserver3", "/etc/zerospof/pki/ca.key"),
      nullptr);
}

}  // namespace
}  // namespace zerospof::render
