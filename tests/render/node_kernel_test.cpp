// The kernel settings of a real host's data plane: the files systemd applies at boot, and the
// oneshot unit that applies them on apply, ordered before containerd, the kubelet and kube-proxy.
#include <gtest/gtest.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

TEST(NodeKernelTest, ModulesAndSysctlsAreAppliedOnApplyAndAtEveryBoot) {
  const Bundle& bundle = testing::rendered().bundle;
  const File* modules = testing::find_file(bundle, "cloudserver2", layout::kKernelModulesConfig);
  const File* sysctls = testing::find_file(bundle, "cloudserver2", layout::kSysctlConfig);
  const File* unit =
      testing::find_file(bundle, "cloudserver2", layout::unit_path(layout::kNodeKernelUnit));
  ASSERT_NE(modules, nullptr);
  ASSERT_NE(sysctls, nullptr);
  ASSERT_NE(unit, nullptr);
  EXPECT_NE(modules->content.find("\noverlay\nbr_netfilter\n"), std::string::npos);
  for (const char* line : {"net.ipv4.ip_forward = 1\n", "net.bridge.bridge-nf-call-iptables = 1\n"})
    EXPECT_NE(sysctls->content.find(line), std::string::npos) << line;
  // IPv4 pods: IPv6 forwarding stays off, or a host would stop accepting router adverts.
  EXPECT_EQ(sysctls->content.find("net.ipv6.conf.all.forwarding"), std::string::npos);
  EXPECT_NE(unit->content.find("Type=oneshot\n"), std::string::npos);
  EXPECT_NE(unit->content.find(std::string("ExecStartPre=/usr/lib/systemd/systemd-modules-load ") +
                               layout::kKernelModulesConfig + "\n"),
            std::string::npos);
  EXPECT_EQ(testing::exec_start(unit->content),
            (std::vector<std::string>{"/usr/lib/systemd/systemd-sysctl", layout::kSysctlConfig}));
  for (const char* after :
       {layout::kContainerdUnit, layout::kKubeletUnit, layout::kKubeProxyUnit}) {
    const File* dependent = testing::find_file(bundle, "cloudserver2", layout::unit_path(after));
    ASSERT_NE(dependent, nullptr) << after;
    EXPECT_NE(dependent->content.find(std::string(" ") + layout::kNodeKernelUnit),
              std::string::npos)
        << after << " is not ordered after the kernel settings";
  }
  EXPECT_EQ(testing::find_file(testing::rendered(testing::Variant::kLab).bundle, "cloudserver2",
                               layout::kSysctlConfig),
            nullptr);
}

}  // namespace
}  // namespace zerospof::render
