// kube-proxy on real hosts: its unit and config on every node, the config accepted by
// kube-proxy's own validation, and its credentials authorized for what it reads, by a real
// apiserver, through the built-in binding system:node-proxier.
#include <gtest/gtest.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

const std::string kConfig = std::string(layout::kConfigDir) + "/kube-proxy-config.yaml";
const std::string kKubeconfig = std::string(layout::kKubeconfigDir) + "/kube-proxy.conf";

TEST(KubeProxyTest, RunsOnEveryRealHostAndOnNoLabHost) {
  const testing::Rendered& r = testing::rendered();
  for (const model::Node& node : r.cluster.nodes) {
    const File* unit =
        testing::find_file(r.bundle, node.name, layout::unit_path(layout::kKubeProxyUnit));
    ASSERT_NE(unit, nullptr) << node.name;
    EXPECT_EQ(testing::exec_start(unit->content),
              (std::vector<std::string>{"/usr/local/bin/kube-proxy", "--config=" + kConfig}));
    EXPECT_NE(unit->content.find(layout::kNodeKernelUnit), std::string::npos)
        << "kube-proxy starts after forwarding and br_netfilter are on";
    const File* config = testing::find_file(r.bundle, node.name, kConfig);
    ASSERT_NE(config, nullptr);
    for (const std::string& line : std::vector<std::string>{
             "mode: iptables\n", "clusterCIDR: 10.244.0.0/16\n", "detectLocalMode: ClusterCIDR\n",
             "kubeconfig: " + kKubeconfig + "\n", "hostnameOverride: " + node.name + "\n"})
      EXPECT_NE(config->content.find(line), std::string::npos) << line << config->content;
    const File* kubeconfig = testing::find_file(r.bundle, node.name, kKubeconfig);
    ASSERT_NE(kubeconfig, nullptr);
    EXPECT_TRUE(kubeconfig->secret);
    EXPECT_NE(kubeconfig->content.find("server: https://198.18.7.100:6443\n"), std::string::npos);
  }
  const Bundle& lab = testing::rendered(testing::Variant::kLab).bundle;
  for (const File& file : lab.files) EXPECT_EQ(file.path.find("kube-proxy"), std::string::npos);
}

TEST(KubeProxyTest, TheConfigPassesKubeProxysOwnValidation) {
  if (testing::config_check().empty())
    GTEST_SKIP() << "no config-check in " << testing::kLabBinaries;
  // The check can fail: a misspelt field and an invalid mode are refused.
  testing::expect_config_check(
      "kube-proxy", testing::written_path(testing::rendered(), "blackboar", kConfig),
      {{"clusterCIDR:", "clusterCidr:"}, {"mode: iptables", "mode: userspace"}});
}

TEST(KubeProxyTest, ItsCredentialsReadServicesAndEndpointsAndNoSecret) {
  const testing::Rendered& r = testing::rendered();
  std::string kubectl = testing::find_program({testing::kLabBinaries + "/kubectl"});
  std::string dir = testing::temporary_directory("kube-proxy-rbac");
  testing::RunningEtcd etcd;
  testing::start_etcd(r, dir, etcd);
  if (etcd.url.empty() || kubectl.empty())
    GTEST_SKIP() << "no lab binaries in " << testing::kLabBinaries << " (lab/binaries/build.sh)";
  testing::RunningApiserver api;
  testing::start_apiserver(r, dir, etcd, api);
  if (HasFatalFailure()) return;
  std::string kubeconfig =
      testing::local_kubeconfig(testing::written_path(r, "blackboar", kKubeconfig),
                                "198.18.7.100:6443", api.port, dir + "/kube-proxy.conf");
  auto as_kube_proxy = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {kubectl, "--kubeconfig", kubeconfig});
    return testing::run_program(arguments);
  };
  for (const char* resource : {"services", "endpointslices.discovery.k8s.io", "nodes"}) {
    auto listed = as_kube_proxy({"get", resource, "-A"});
    EXPECT_TRUE(listed.succeeded()) << resource << ": " << listed.err;
  }
  auto secrets = as_kube_proxy({"get", "secrets", "-A"});
  EXPECT_FALSE(secrets.succeeded());
  EXPECT_NE(secrets.err.find("\"system:kube-proxy\" cannot list resource \"secrets\""),
            std::string::npos)
      << secrets.err;
}

}  // namespace
}  // namespace zerospof::render
