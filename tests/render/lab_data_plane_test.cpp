// The lab with real pods (render --lab --real-pods): real kubelets, containerd and kube-proxy with
// the lab's settings, the images' import, a bridge pod network with a /24 per node and routes
// between nodes, and nothing of what the lab cannot run.
#include <gtest/gtest.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

const std::vector<std::string> kHosts{"micklethefickle", "cloudserver1", "cloudserver2",
                                      "cloudserver3", "blackboar"};

std::string unit_path(const char* name) { return std::string(layout::kUnitDir) + "/" + name; }

const Bundle& real_pods() { return testing::rendered(testing::Variant::kLabRealPods).bundle; }

const std::string& content(const Bundle& bundle, const std::string& host, const std::string& path) {
  static const std::string none;
  const File* file = testing::find_file(bundle, host, path);
  EXPECT_NE(file, nullptr) << host << ":" << path;
  return file ? file->content : none;
}

TEST(LabDataPlaneTest, EveryHostRunsARealKubeletContainerdAndKubeProxyAndNoKwok) {
  for (const auto& host : kHosts) {
    for (const char* unit : {layout::kKubeletUnit, layout::kContainerdUnit, layout::kKubeProxyUnit,
                             layout::kLabImagesUnit, layout::kLabPodRoutesUnit})
      EXPECT_NE(testing::find_file(real_pods(), host, unit_path(unit)), nullptr) << host << unit;
    EXPECT_EQ(testing::find_file(real_pods(), host, unit_path(layout::kKwokUnit)), nullptr);
  }
  for (const File& file : real_pods().files)
    EXPECT_EQ(file.path.find("05-lab-nodes"), std::string::npos) << "kwok's Node objects";
}

// The kubelet starts no pod before its images and their network are there, whatever order apply
// starts the units in.
TEST(LabDataPlaneTest, TheKubeletWantsTheImagesAndThePodRoutes) {
  const std::string& kubelet =
      content(real_pods(), "cloudserver3", unit_path(layout::kKubeletUnit));
  EXPECT_NE(kubelet.find("Wants=network-online.target zerospof-lab-images.service "
                         "zerospof-lab-pod-routes.service\n"),
            std::string::npos)
      << kubelet;
  EXPECT_NE(kubelet.find("zerospof-lab-images.service zerospof-lab-pod-routes.service\n"),
            std::string::npos);
  const std::string& images =
      content(real_pods(), "cloudserver3", unit_path(layout::kLabImagesUnit));
  EXPECT_NE(images.find("Wants=network-online.target zerospof-containerd.service\n"),
            std::string::npos)
      << images;
  EXPECT_NE(images.find("/var/lib/zerospof/images/image-*.tar"), std::string::npos);
  EXPECT_NE(images.find("\"$$image\""), std::string::npos) << "systemd expands a single $";
}

TEST(LabDataPlaneTest, TheKubeletAndContainerdManageTheHostsCgroupsThemselves) {
  const std::string& kubelet =
      content(real_pods(), "blackboar", "/etc/zerospof/kubelet-config.yaml");
  for (const char* line :
       {"cgroupDriver: cgroupfs\n", "failCgroupV1: false\n", "failSwapOn: false\n",
        "resolvConf: /etc/zerospof/lab-resolv.conf\n", "imageGCHighThresholdPercent: 100\n"})
    EXPECT_NE(kubelet.find(line), std::string::npos) << line << kubelet;
  const std::string& containerd = content(real_pods(), "blackboar", layout::kContainerdConfig);
  EXPECT_NE(containerd.find("SystemdCgroup = false\n"), std::string::npos);
  EXPECT_NE(containerd.find("restrict_oom_score_adj = true\n"), std::string::npos);
  const std::string& proxy =
      content(real_pods(), "blackboar", "/etc/zerospof/kube-proxy-config.yaml");
  EXPECT_NE(proxy.find("conntrack: {maxPerCore: 0}\n"), std::string::npos);
  // Real hosts keep their own: the systemd driver, swap refused, no lab settings.
  const std::string& real =
      content(testing::rendered().bundle, "blackboar", "/etc/zerospof/kubelet-config.yaml");
  EXPECT_NE(real.find("cgroupDriver: systemd\n"), std::string::npos);
  EXPECT_EQ(real.find("failCgroupV1"), std::string::npos);
  EXPECT_EQ(real.find("resolvConf"), std::string::npos);
}

TEST(LabDataPlaneTest, TheLabSettingsPassTheKubeletsAndKubeProxysOwnValidation) {
  if (testing::config_check().empty())
    GTEST_SKIP() << "no config-check in " << testing::kLabBinaries;
  const testing::Rendered& r = testing::rendered(testing::Variant::kLabRealPods);
  testing::expect_config_check(
      "kubelet", testing::written_path(r, "blackboar", "/etc/zerospof/kubelet-config.yaml"),
      {{"failCgroupV1:", "failCgroupv1:"},
       {"imageGCHighThresholdPercent: 100", "imageGCHighThresholdPercent: 101"}});
  testing::expect_config_check(
      "kube-proxy", testing::written_path(r, "blackboar", "/etc/zerospof/kube-proxy-config.yaml"),
      {{"maxPerCore: 0", "maxPerCore: -1"}});
}

// Each node gives its pods a /24 of the plan's pod subnet of its own and routes every other
// node's through that node, and the Services through a neighbour; the node's resolver for pods is
// its own address (no DNS beyond the lab).
TEST(LabDataPlaneTest, EachNodeHasAPodSubnetOfItsOwnAndRoutesToEveryOther) {
  std::set<std::string> subnets;
  for (std::size_t i = 0; i < kHosts.size(); ++i) {
    const std::string& cni = content(real_pods(), kHosts[i], layout::kLabCniConfig);
    std::string subnet = "10.244." + std::to_string(i) + ".0/24";
    EXPECT_NE(cni.find("\"subnet\": \"" + subnet + "\""), std::string::npos) << cni;
    subnets.insert(subnet);
    const std::string& routes = content(real_pods(), kHosts[i], layout::kLabPodRoutes);
    for (std::size_t other = 0; other < kHosts.size(); ++other) {
      std::string route = "route replace 10.244." + std::to_string(other) + ".0/24 via 198.18.7." +
                          std::to_string(11 + other) + "\n";
      EXPECT_EQ(routes.find(route) != std::string::npos, other != i) << kHosts[i] << routes;
    }
    // The Services (what the node itself connects to: the drill's tunnels) have a route too.
    std::string services =
        "route replace 10.96.0.0/12 via 198.18.7." + std::to_string(i == 0 ? 12 : 11) + "\n";
    EXPECT_NE(routes.find(services), std::string::npos) << routes;
    EXPECT_NE(content(real_pods(), kHosts[i], layout::kLabResolvConf)
                  .find("nameserver 198.18.7." + std::to_string(11 + i) + "\n"),
              std::string::npos);
  }
  EXPECT_EQ(subnets.size(), kHosts.size());
}

TEST(LabDataPlaneTest, WhatTheLabCannotRunIsLeftOutAndSaidWithItsObjects) {
  const testing::Rendered& r = testing::rendered(testing::Variant::kLabRealPods);
  auto left_out = lab_left_out(r.cluster, r.options);
  ASSERT_EQ(left_out.size(), 4u);
  EXPECT_EQ(left_out[0].what, "Calico");
  for (const File& file : r.bundle.files) {
    if (file.host != "") continue;
    for (const LeftOut& part : left_out) {
      for (const auto& manifest : part.manifests)
        EXPECT_EQ(file.path.find(manifest), std::string::npos) << file.path;
      for (const auto& name : part.namespaces)
        EXPECT_EQ(file.content.find("namespace: " + name), std::string::npos) << file.path;
    }
  }
  EXPECT_NE(
      testing::find_file(r.bundle, "", std::string(layout::kManifestDir) + "/10-coredns.yaml"),
      nullptr);
  // The simulated lab and real hosts leave nothing out.
  const testing::Rendered& simulated = testing::rendered(testing::Variant::kLab);
  EXPECT_TRUE(lab_left_out(simulated.cluster, simulated.options).empty());
  EXPECT_NE(testing::find_file(simulated.bundle, "",
                               std::string(layout::kManifestDir) + "/20-calico.yaml"),
            nullptr);
}

TEST(LabDataPlaneTest, APodSubnetWithoutA24PerNodeIsRefusedAtItsLine) {
  std::string text = zerospof::testing::replace_once(
      zerospof::testing::addressed_plan(), "podSubnet: 10.244.0.0/16", "podSubnet: 10.244.0.0/23");
  model::Cluster cluster = zerospof::testing::load_plan(text);
  RenderOptions options{.pki_dir = testing::temporary_directory("lab-pod-subnet") + "/pki",
                        .lab = true,
                        .lab_real_pods = true};
  auto bundle = render(cluster, options);
  ASSERT_FALSE(bundle.has_value());
  EXPECT_NE(bundle.error().message.find("10.244.0.0/23 has no room for 5 nodes"), std::string::npos)
      << bundle.error().message;
  EXPECT_TRUE(bundle.error().where.known()) << "no file:line for the podSubnet";
  options.lab_real_pods = false;  // the simulated lab has no pod network to fit
  EXPECT_TRUE(render(cluster, options).has_value());
}

TEST(LabDataPlaneTest, ACniPluginOrImageIsInstalledWhereContainerdLooks) {
  EXPECT_EQ(layout::installed_path("cni-host-local"), "/opt/cni/bin/host-local");
  EXPECT_EQ(layout::installed_path("image-coredns.tar"),
            "/var/lib/zerospof/images/image-coredns.tar");
  EXPECT_EQ(layout::installed_path("runc"), "/usr/local/bin/runc");
}

}  // namespace
}  // namespace zerospof::render
