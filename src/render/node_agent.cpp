// The node agent of every node. Real hosts: the kubelet (systemd cgroups, webhook
// authorization, client certificate system:node:<name>, its API served with a certificate of the
// cluster CA that the apiservers verify), registered with the plan's labels and, on
// control-plane nodes that are not workers, the control-plane NoSchedule taint; its container
// runtime and kube-proxy are container_runtime.cpp's and kube_proxy.cpp's. The lab:
// kwok --manage-single-node=<name> with the same node credentials, so a dead lab host really
// stops renewing its node lease and the real node controller reacts.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "render/context.h"
#include "render/kubeconfig.h"
#include "render/kwok_stages.h"
#include "render/layout.h"
#include "render/unit.h"

namespace zerospof::render {

namespace {

const std::string kKubeletKubeconfig = std::string(layout::kKubeconfigDir) + "/kubelet.conf";
const std::string kKubeletConfig = std::string(layout::kConfigDir) + "/kubelet-config.yaml";
const std::string kKubeletServing = std::string(layout::kPkiDir) + "/kubelet-serving";

// The lab's hosts are containers of one machine (zerospof lab), which may run cgroup v1 and have
// swap: the kubelet manages the host's own cgroup subtree directly (cgroupDriver cgroupfs: no
// systemd inside a container can delegate v1 controllers to it), accepts cgroup v1 and the
// machine's swap, and neither evicts pods nor collects images for the disk it shares with the
// machine and every other host (its fill level says nothing about this node). Pods that use the
// node's DNS (CoreDNS's upstream) get the lab's resolver file (render/lab_data_plane.cpp).
constexpr const char* kLabKubeletSettings =
    R"(# The lab (zerospof lab): a container of one machine, not a server. See docs/lab.md.
resolvConf: {resolv}
failCgroupV1: false
imageGCHighThresholdPercent: 100
evictionHard: {{memory.available: 100Mi, nodefs.available: "0%", imagefs.available: "0%"}}
)";

std::string kubelet_config(const model::Cluster& cluster, bool lab) {
  std::string config = fmt::format(
      R"(# Rendered by zerospof render; changes are overwritten by the next apply.
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {{enabled: false}}
  webhook: {{enabled: true}}
  x509: {{clientCAFile: {ca}}}
authorization: {{mode: Webhook}}
readOnlyPort: 0
# Certificates from zerospof's PKI, renewed by apply: no self-signed serving certificate, no
# bootstrap through the certificates API.
tlsCertFile: {serving}.crt
tlsPrivateKeyFile: {serving}.key
tlsMinVersion: VersionTLS12
rotateCertificates: false
serverTLSBootstrap: false
cgroupDriver: {driver}
clusterDomain: cluster.local
clusterDNS: [{dns}]
containerRuntimeEndpoint: unix://{socket}
failSwapOn: {refuse_swap}
nodeLeaseDurationSeconds: {lease}
# A reboot or shutdown ends the pods gracefully (their preStop hooks run, endpoints are removed
# first), critical pods last, instead of cutting them off with the power.
shutdownGracePeriod: 30s
shutdownGracePeriodCriticalPods: 10s
)",
      fmt::arg("ca", std::string(layout::kPkiDir) + "/ca.crt"),
      fmt::arg("serving", kKubeletServing), fmt::arg("dns", service_address(cluster, 10)),
      fmt::arg("socket", layout::kContainerdSocket),
      fmt::arg("lease", cluster.tuning.node_lease_duration_ms / 1000),
      fmt::arg("driver", lab ? "cgroupfs" : "systemd"),
      fmt::arg("refuse_swap", lab ? "false" : "true"));
  if (!lab) return config;
  return config + fmt::format(kLabKubeletSettings, fmt::arg("resolv", layout::kLabResolvConf));
}

using Label = std::pair<std::string, std::string>;

// The labels the plan gives a node (a kubelet adds its own well-known ones).
std::vector<Label> node_labels(const model::Cluster& cluster, const model::Node& node) {
  std::vector<Label> labels;
  if (!node.zone.empty()) labels.emplace_back("topology.kubernetes.io/zone", node.zone);
  // So that workloads can spread over feeds with a topology spread constraint.
  if (!node.power_feed.empty()) labels.emplace_back(model::kPowerFeedLabel, node.power_feed);
  bool any_storage = !cluster.nodes_with_role(model::Role::kStorage).empty();
  if (node.has_role(any_storage ? model::Role::kStorage : model::Role::kWorker))
    labels.emplace_back("node.longhorn.io/create-default-disk", "true");
  return labels;
}

// The labels a kubelet sets on its own Node, which upstream manifests select on
// (kubernetes.io/os: linux): kwok does not set them, so the lab's Node objects carry them.
std::vector<Label> kubelet_labels(const model::Node& node) {
#if defined(__aarch64__)
  const char* arch = "arm64";
#else
  const char* arch = "amd64";
#endif
  return {{"kubernetes.io/hostname", node.name},
          {"kubernetes.io/os", "linux"},
          {"kubernetes.io/arch", arch},
          {"beta.kubernetes.io/os", "linux"},
          {"beta.kubernetes.io/arch", arch}};
}

bool tainted(const model::Node& node) {
  return node.has_role(model::Role::kControlPlane) && !node.has_role(model::Role::kWorker);
}

std::vector<std::string> kubelet_command(const model::Cluster& cluster, const model::Node& node) {
  std::vector<std::string> command{
      std::string(layout::kBinDir) + "/kubelet", "--config=" + kKubeletConfig,
      "--kubeconfig=" + kKubeletKubeconfig,      "--hostname-override=" + node.name,
      "--node-ip=" + address_of(node),
  };
  std::vector<std::string> labels;
  for (const auto& [key, value] : node_labels(cluster, node)) labels.push_back(key + "=" + value);
  if (!labels.empty()) command.push_back(fmt::format("--node-labels={}", fmt::join(labels, ",")));
  if (tainted(node))
    command.push_back("--register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule");
  return command;
}

std::vector<File> real_agent(const Context& context, const model::Node& node) {
  const std::string& host = node.name;
  Unit kubelet{"Kubernetes node agent",
               kubelet_command(context.cluster, node),
               {layout::kContainerdUnit, layout::kNodeKernelUnit}};
  kubelet.environment = api_client_environment(context.cluster.tuning);
  // Its pods' images and their network are there before it starts any pod.
  if (context.options.lab) kubelet.wants = {layout::kLabImagesUnit, layout::kLabPodRoutesUnit};
  std::vector<File> files{
      public_file(host, kKubeletConfig, kubelet_config(context.cluster, context.options.lab)),
      unit_file(host, layout::kKubeletUnit, kubelet)};
  add_pair(files, host, kKubeletServing, context.certs.kubelet_serving.at(node.name));
  return files;
}

// kwok for the node, with its credentials and the lease of kwok_lease_seconds (context.h).
std::vector<File> lab_agent(const model::Cluster& cluster, const model::Node& node) {
  const std::string config = std::string(layout::kConfigDir) + "/kwok.yaml";
  Unit kwok{"kwok standing in for the kubelet of " + node.name,
            {std::string(layout::kBinDir) + "/kwok", "--config=" + config,
             "--kubeconfig=" + kKubeletKubeconfig, "--manage-single-node=" + node.name,
             "--node-ip=" + address_of(node),
             fmt::format("--node-lease-duration-seconds={}", kwok_lease_seconds(cluster.tuning))}};
  kwok.environment = api_client_environment(cluster.tuning);
  return {unit_file(node.name, layout::kKwokUnit, kwok),
          public_file(node.name, config, kwok_stages())};
}

}  // namespace

std::string lab_manifest(const model::Cluster& cluster) {
  std::string out = fmt::format(
      R"(# kwok lists every node while it starts, which the Node authorizer refuses a node; the
# NodeRestriction admission plugin still limits each node to writing its own Node and pods.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: "zerospof:lab-kwok"}}
rules:
  - apiGroups: [""]
    resources: [nodes, pods]
    verbs: [get, list, watch, patch, update, delete]
  - apiGroups: [""]
    resources: [nodes/status, pods/status]
    verbs: [patch, update]
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: [get, list, watch, create, update, patch]
  - apiGroups: ["", events.k8s.io]
    resources: [events]
    verbs: [create, patch, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: "zerospof:lab-kwok"}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "zerospof:lab-kwok"}}
subjects: [{{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "{}"}}]
---
)",
      kLabNodeGroup);
  // kwok --manage-single-node manages a Node object; it does not register one as a kubelet does.
  for (const model::Node& node : cluster.nodes) {
    out += fmt::format("apiVersion: v1\nkind: Node\nmetadata:\n  name: {}\n  labels:\n", node.name);
    std::vector<Label> labels = kubelet_labels(node);
    for (Label& label : node_labels(cluster, node)) labels.push_back(std::move(label));
    for (const auto& [key, value] : labels) out += fmt::format("    {}: \"{}\"\n", key, value);
    if (tainted(node))
      out +=
          "spec:\n  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]\n";
    out += "---\n";
  }
  return out;
}

std::string endpoint_url(const model::Cluster& cluster) {
  if (cluster.endpoint.mode == model::EndpointMode::kLocalProxy)
    return fmt::format("https://127.0.0.1:{}", cluster.endpoint.port);
  return fmt::format("https://{}:{}", model::url_host(cluster.endpoint.address->to_string()),
                     cluster.endpoint.port);
}

std::int64_t kwok_lease_seconds(const model::Tuning& tuning) {
  return std::max<std::int64_t>(
      1, std::min(tuning.node_lease_duration_ms, tuning.node_monitor_grace_period_ms / 4) / 1000);
}

std::vector<std::string> api_client_environment(const model::Tuning& tuning) {
  if (tuning.profile == model::TuningProfile::kKubeadmGuide) return {};
  std::int64_t fifth = std::max<std::int64_t>(1, tuning.node_monitor_grace_period_ms / 5 / 1000);
  return {fmt::format("HTTP2_READ_IDLE_TIMEOUT_SECONDS={}", std::min<std::int64_t>(fifth, 30)),
          fmt::format("HTTP2_PING_TIMEOUT_SECONDS={}", std::min<std::int64_t>(fifth, 15))};
}

std::vector<File> node_agent_files(const Context& context, const model::Node& node) {
  std::vector<File> files = simulated_nodes(context.options) ? lab_agent(context.cluster, node)
                                                             : real_agent(context, node);
  files.push_back(
      public_file(node.name, std::string(layout::kPkiDir) + "/ca.crt", context.certs.ca.cert_pem));
  files.push_back(
      secret_file(node.name, kKubeletKubeconfig,
                  kubeconfig_text(context.cluster.name, endpoint_url(context.cluster),
                                  context.certs.ca.cert_pem, context.certs.node.at(node.name),
                                  "system:node:" + node.name)));
  return files;
}

}  // namespace zerospof::render
