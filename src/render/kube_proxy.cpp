// kube-proxy on every real host: what makes a Service's ClusterIP and NodePort reach its pods.
// It runs as a unit like the kubelet (not a DaemonSet), so Services work from the moment the
// node does and do not depend on the scheduler. It authenticates as system:kube-proxy, the
// subject of the built-in binding system:node-proxier, through the API endpoint.
//
// Mode: iptables. The rendered Calico uses its iptables dataplane, and kube-proxy's nftables
// mode is only supported beside Calico's nftables dataplane; on Debian 12 iptables is
// iptables-nft, so its rules and zerospof's own nftables table (render/nftables.cpp) live side
// by side without touching each other.
#include <fmt/format.h>

#include "render/context.h"
#include "render/kubeconfig.h"
#include "render/layout.h"

namespace zerospof::render {

namespace {

const std::string kKubeProxyKubeconfig = std::string(layout::kKubeconfigDir) + "/kube-proxy.conf";
const std::string kKubeProxyConfig = std::string(layout::kConfigDir) + "/kube-proxy-config.yaml";

// The lab's hosts share this machine's conntrack table, whose size only the machine's own network
// namespace may set: kube-proxy leaves it as it is.
constexpr const char* kLabKubeProxySettings =
    R"(# The lab (zerospof lab): the machine's conntrack table.
conntrack: {maxPerCore: 0}
)";

std::string kube_proxy_config(const model::Cluster& cluster, const model::Node& node, bool lab) {
  std::string config =
      fmt::format(R"(# Rendered by zerospof render; changes are overwritten by the next apply.
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: {kubeconfig}
hostnameOverride: {node}
mode: iptables
# Traffic from pod addresses is local; the rest is masqueraded when it leaves for a Service.
clusterCIDR: {pods}
detectLocalMode: ClusterCIDR
# NodePorts answer on the node's own addresses, not on every address (pods', the VIP).
nodePortAddresses: [primary]
healthzBindAddress: 0.0.0.0:{health}
metricsBindAddress: 127.0.0.1:10249
)",
                  fmt::arg("kubeconfig", kKubeProxyKubeconfig), fmt::arg("node", node.name),
                  fmt::arg("pods", cluster.kubernetes.pod_subnet.to_string()),
                  fmt::arg("health", layout::kKubeProxyHealthPort));
  return lab ? config + kLabKubeProxySettings : config;
}

}  // namespace

std::vector<File> kube_proxy_files(const Context& context, const model::Node& node) {
  if (simulated_nodes(context.options)) return {};  // no pod runs on kwok's nodes: no Services
  Unit kube_proxy{"Kubernetes network proxy (Services)",
                  {layout::binary_path("kube-proxy"), "--config=" + kKubeProxyConfig},
                  {layout::kNodeKernelUnit}};
  kube_proxy.environment = api_client_environment(context.cluster.tuning);
  return {public_file(node.name, kKubeProxyConfig,
                      kube_proxy_config(context.cluster, node, context.options.lab)),
          secret_file(node.name, kKubeProxyKubeconfig,
                      kubeconfig_text(context.cluster.name, endpoint_url(context.cluster),
                                      context.certs.ca.cert_pem, context.certs.kube_proxy,
                                      "system:kube-proxy")),
          unit_file(node.name, layout::kKubeProxyUnit, kube_proxy)};
}

}  // namespace zerospof::render
