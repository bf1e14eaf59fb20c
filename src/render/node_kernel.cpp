// The kernel settings the data plane of a real host needs, as files systemd applies at every
// boot (modules-load.d, sysctl.d), and a oneshot unit that applies the same files when apply
// writes them, so that neither a reboot nor the first apply is needed for them to hold:
// overlay for containerd's snapshotter; br_netfilter and the bridge sysctls so that traffic
// between pods on one node's bridge passes kube-proxy's rules; forwarding, without which no pod
// reaches another node.
#include "render/context.h"
#include "render/layout.h"

namespace zerospof::render {

std::vector<File> node_kernel_files(const Context& context, const model::Node& node) {
  if (simulated_nodes(context.options)) return {};  // kwok's nodes forward nothing
  const std::string header =
      "# Rendered by zerospof render: what containerd, kube-proxy and the CNI need of the "
      "kernel.\n";
  Unit apply{"kernel modules and sysctls of the Kubernetes data plane",
             {"/usr/lib/systemd/systemd-sysctl", layout::kSysctlConfig}};
  apply.type = StartType::kOneshot;
  std::vector<File> files;
  // A lab host shares this machine's kernel and has no modules of its own to load: apply's
  // preflight checks that the kernel has what containerd and the CNI need.
  if (!context.options.lab) {
    apply.before_start = {{"/usr/lib/systemd/systemd-modules-load", layout::kKernelModulesConfig}};
    files.push_back(
        public_file(node.name, layout::kKernelModulesConfig, header + "overlay\nbr_netfilter\n"));
  }
  std::string sysctls = header +
                        "net.ipv4.ip_forward = 1\n"
                        "net.bridge.bridge-nf-call-iptables = 1\n"
                        "net.bridge.bridge-nf-call-ip6tables = 1\n";
  // Only for IPv6 pods: a host that forwards IPv6 ignores router advertisements, and one whose
  // own IPv6 address comes from them would lose it.
  if (context.cluster.kubernetes.pod_subnet.base.family == 6)
    sysctls += "net.ipv6.conf.all.forwarding = 1\n";
  files.push_back(public_file(node.name, layout::kSysctlConfig, sysctls));
  files.push_back(unit_file(node.name, layout::kNodeKernelUnit, apply));
  return files;
}

}  // namespace zerospof::render
