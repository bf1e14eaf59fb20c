// Node agents: kubelet + containerd on real hosts, kwok --manage-single-node in the lab, both
// with the node's own credentials (system:node:<name>) through the API endpoint.
#include <gtest/gtest.h>

#include "render/context.h"
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

// The kubelet serves its API with a certificate of the cluster CA (the apiservers verify it) and
// takes no other route to certificates.
TEST(NodeAgentTest, TheKubeletServesACertificateOfTheClusterCa) {
  const Bundle& bundle = testing::rendered().bundle;
  const File* config = testing::find_file(bundle, "blackboar",
                                          std::string(layout::kConfigDir) + "/kubelet-config.yaml");
  ASSERT_NE(config, nullptr);
  for (const char* line :
       {"tlsCertFile: /etc/zerospof/pki/kubelet-serving.crt\n",
        "tlsPrivateKeyFile: /etc/zerospof/pki/kubelet-serving.key\n", "rotateCertificates: false\n",
        "serverTLSBootstrap: false\n", "readOnlyPort: 0\n", "shutdownGracePeriod: 30s\n"})
    EXPECT_NE(config->content.find(line), std::string::npos) << line;
  const File* key =
      testing::find_file(bundle, "blackboar", "/etc/zerospof/pki/kubelet-serving.key");
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(key->secret);
  EXPECT_EQ(key->mode, 0600u);
  const File* apiserver =
      testing::find_file(bundle, "micklethefickle", unit_path(layout::kApiserverUnit));
  ASSERT_NE(apiserver, nullptr);
  EXPECT_NE(apiserver->content.find("--kubelet-certificate-authority=/etc/zerospof/pki/ca.crt"),
            std::string::npos);
}

TEST(NodeAgentTest, TheKubeletConfigPassesTheKubeletsOwnValidation) {
  if (testing::config_check().empty())
    GTEST_SKIP() << "no config-check in " << testing::kLabBinaries;
  // The check can fail: a misspelt field, and a lease the kubelet refuses.
  testing::expect_config_check(
      "kubelet",
      testing::written_path(testing::rendered(), "blackboar",
                            std::string(layout::kConfigDir) + "/kubelet-config.yaml"),
      {{"cgroupDriver:", "cgroupsDriver:"},
       {"nodeLeaseDurationSeconds: 6", "nodeLeaseDurationSeconds: -1"}});
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

// The kubelet's node lease is the tuning's (by default 6 s, renewed every 1.5 s). kwok's is at
// most a quarter of the node grace period (8 s by default): a restarted kwok takes the lease over
// only once its predecessor's expired, and that must come before the node controller looks, also
// when the restart changed the tuning.
TEST(NodeAgentTest, TheKubeletsNodeLeaseIsTheTuningsAndKwoksExpiresWithinAQuarterOfTheGrace) {
  const File* config = testing::find_file(testing::rendered().bundle, "blackboar",
                                          std::string(layout::kConfigDir) + "/kubelet-config.yaml");
  ASSERT_NE(config, nullptr);
  EXPECT_NE(config->content.find("nodeLeaseDurationSeconds: 6\n"), std::string::npos)
      << config->content;
  const File* kwok = testing::find_file(testing::rendered(testing::Variant::kLab).bundle,
                                        "blackboar", unit_path(layout::kKwokUnit));
  ASSERT_NE(kwok, nullptr);
  EXPECT_NE(kwok->content.find("--node-lease-duration-seconds=2\n"), std::string::npos)
      << kwok->content;
  model::Tuning guide = model::Tuning::of(model::TuningProfile::kKubeadmGuide);  // 40 s grace
  EXPECT_EQ(kwok_lease_seconds(guide), 10);
  guide.node_lease_duration_ms = 6000;
  EXPECT_EQ(kwok_lease_seconds(guide), 6);
  guide.node_monitor_grace_period_ms = 1000;
  EXPECT_EQ(kwok_lease_seconds(guide), 1);
}

// A node agent's connection to a crashed VIP holder is dead without a reset: client-go's HTTP/2
// health check must close it well within the node grace period, or a healthy node turns
// NotReady. Upstream's 30 s + 15 s stays with kubeadm-guide, as the guide runs.
TEST(NodeAgentTest, EveryNodeAgentClosesADeadApiConnectionWithinTheNodeGracePeriod) {
  const std::string fast =
      "Environment=HTTP2_READ_IDLE_TIMEOUT_SECONDS=1\nEnvironment=HTTP2_PING_TIMEOUT_SECONDS=1\n";
  struct Agent {
    testing::Variant variant;
    const char* unit;
  };
  for (const Agent& agent : {Agent{testing::Variant::kVip, layout::kKubeletUnit},
                             Agent{testing::Variant::kVip, layout::kKubeProxyUnit},
                             Agent{testing::Variant::kLocalProxy, layout::kKubeletUnit},
                             Agent{testing::Variant::kLocalProxy, layout::kKubeProxyUnit},
                             Agent{testing::Variant::kLab, layout::kKwokUnit},
                             Agent{testing::Variant::kLabRealPods, layout::kKubeletUnit}}) {
    const File* unit = testing::find_file(testing::rendered(agent.variant).bundle, "blackboar",
                                          unit_path(agent.unit));
    ASSERT_NE(unit, nullptr) << agent.unit;
    EXPECT_NE(unit->content.find(fast), std::string::npos) << unit->content;
  }
  const File* guide = testing::find_file(testing::rendered(testing::Variant::kKubeadmGuide).bundle,
                                         "blackboar", unit_path(layout::kKubeletUnit));
  ASSERT_NE(guide, nullptr);
  EXPECT_EQ(guide->content.find("HTTP2_"), std::string::npos) << guide->content;

  model::Tuning longer;  // a fifth, rounded down to whole seconds
  longer.node_monitor_grace_period_ms = 14999;
  EXPECT_EQ(api_client_environment(longer),
            (std::vector<std::string>{"HTTP2_READ_IDLE_TIMEOUT_SECONDS=2",
                                      "HTTP2_PING_TIMEOUT_SECONDS=2"}));
  model::Tuning slow;  // never slower than upstream's own check
  slow.node_monitor_grace_period_ms = 600000;
  EXPECT_EQ(api_client_environment(slow),
            (std::vector<std::string>{"HTTP2_READ_IDLE_TIMEOUT_SECONDS=30",
                                      "HTTP2_PING_TIMEOUT_SECONDS=15"}));
}

TEST(NodeAgentTest, LabNodeObjectsCarryTheLabelsAKubeletSetsItself) {
  // Upstream manifests select nodes on kubernetes.io/os (ingress-nginx, calico-kube-controllers):
  // without the labels a kubelet sets on its own Node, their pods stay Pending on kwok nodes.
  const File* nodes = testing::find_file(testing::rendered(testing::Variant::kLab).bundle, "",
                                         "/etc/zerospof/manifests/05-lab-nodes.yaml");
  ASSERT_NE(nodes, nullptr);
  for (const char* label :
       {"name: cloudserver3\n  labels:\n    kubernetes.io/hostname: \"cloudserver3\"\n"
        "    kubernetes.io/os: \"linux\"\n    kubernetes.io/arch: \"",
        "node.longhorn.io/create-default-disk: \"true\""})
    EXPECT_NE(nodes->content.find(label), std::string::npos) << label << "\n" << nodes->content;
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

// Polls `argv` until its output is `expected`, for at most `seconds`.
bool prints_eventually(const std::vector<std::string>& argv, const std::string& expected,
                       int seconds) {
  for (int attempt = 0; attempt < seconds * 4; ++attempt) {
    auto result = util::run(argv);
    if (result && result->succeeded() && result->out == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

TEST(NodeAgentTest, LabKwokKeepsItsNodeReadyWithTheNodesOwnCredentials) {
  // Given the lab bundle's etcd and apiserver running and its lab manifest applied, the
  // rendered kwok unit with cloudserver3's kubeconfig (system:node:cloudserver3, through the
  // Node authorizer) should make the node Ready.
  const testing::Rendered& r = testing::rendered(testing::Variant::kLab);
  std::string kubectl = testing::find_program({testing::kLabBinaries + "/kubectl"});
  std::string kwok = testing::find_program({testing::kLabBinaries + "/kwok"});
  std::string dir = testing::temporary_directory("kwok-run");
  testing::RunningEtcd etcd;
  testing::start_etcd(r, dir, etcd);
  if (etcd.url.empty() || kubectl.empty() || kwok.empty())
    GTEST_SKIP() << "no lab binaries in " << testing::kLabBinaries << " (lab/binaries/build.sh)";
  testing::RunningApiserver api;
  testing::start_apiserver(r, dir, etcd, api);
  if (HasFatalFailure()) return;
  // The lab manifest holds kwok's RBAC and the Node objects.
  auto created = testing::run_program(
      {kubectl, "--kubeconfig", api.admin, "create", "-f",
       testing::written_path(r, "", "/etc/zerospof/manifests/05-lab-nodes.yaml")});
  ASSERT_TRUE(created.succeeded()) << created.err;
  std::string kubeconfig = testing::local_kubeconfig(
      testing::written_path(r, "cloudserver3", "/etc/zerospof/kubeconfig/kubelet.conf"),
      "198.18.7.100:6443", api.port, dir + "/kubelet.conf");
  const File* unit = testing::find_file(r.bundle, "cloudserver3", unit_path(layout::kKwokUnit));
  ASSERT_NE(unit, nullptr);
  auto pid = util::spawn_detached(
      testing::rewritten(testing::exec_start(unit->content),
                         {{"/usr/local/bin/kwok", kwok},
                          {"/etc/zerospof/kubeconfig/kubelet.conf", kubeconfig},
                          {"/etc/zerospof/kwok.yaml",
                           testing::written_path(r, "cloudserver3", "/etc/zerospof/kwok.yaml")}}),
      {dir + "/kwok.log"});
  ASSERT_TRUE(pid);
  testing::Stopper stopper{*pid};
  EXPECT_TRUE(
      prints_eventually({kubectl, "--kubeconfig", api.admin, "get", "node", "cloudserver3", "-o",
                         "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"},
                        "True", 60))
      << *util::read_file(dir + "/kwok.log");

  // A pod of the node is ready; marked not ready as the node lifecycle controller does while
  // the node is NotReady, it is ready again once the node's agent runs (pod-ready-again).
  auto kube = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), {kubectl, "--kubeconfig", api.admin});
    return testing::run_program(arguments);
  };
  kube({"create", "serviceaccount", "default"});  // no controller-manager makes it here
  std::string pod_file = dir + "/pod.yaml";
  testing::write_text(pod_file,
                      "apiVersion: v1\nkind: Pod\nmetadata: {name: probe, namespace: default}\n"
                      "spec:\n  nodeName: cloudserver3\n  automountServiceAccountToken: false\n"
                      "  containers: [{name: probe, image: probe}]\n");
  auto pod = kube({"create", "-f", pod_file});
  ASSERT_TRUE(pod.succeeded()) << pod.err;
  const std::vector<std::string> ready{
      kubectl,   "--kubeconfig",
      api.admin, "get",
      "pod",     "probe",
      "-o",      "jsonpath={.status.phase}/{.status.conditions[?(@.type==\"Ready\")].status}"};
  ASSERT_TRUE(prints_eventually(ready, "Running/True", 60)) << *util::read_file(dir + "/kwok.log");
  auto marked = kube({"patch", "pod", "probe", "--subresource=status", "--type=json", "-p",
                      R"([{"op": "replace", "path": "/status/conditions", "value": [)"
                      R"({"type": "Ready", "status": "False", "reason": "NodeNotReady"}]}])",
                      "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"});
  ASSERT_TRUE(marked.succeeded()) << marked.err;
  ASSERT_EQ(marked.out, "False");  // the patch took effect: what follows is kwok's doing
  EXPECT_TRUE(prints_eventually(ready, "Running/True", 60)) << *util::read_file(dir + "/kwok.log");
}

}  // namespace
}  // namespace zerospof::render
