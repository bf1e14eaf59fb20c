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

// On an etcd member, the apiserver talks to that member alone: a crashed host's member must not
// hold the other apiservers' requests (the drill measured 7.8 s of failed writes when it did).
TEST(ControlPlaneTest, ApiserverTalksToItsOwnEtcdMemberOverMutualTls) {
  std::string text = unit("cloudserver1", layout::kApiserverUnit);
  EXPECT_NE(text.find("--etcd-servers=https://127.0.0.1:2379 "), std::string::npos);
  EXPECT_EQ(text.find("198.18.7.11:2379"), std::string::npos);
  for (const char* flag :
       {"--etcd-cafile=/etc/zerospof/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/zerospof/pki/apiserver-etcd-client.crt",
        "--advertise-address=198.18.7.12", "--secure-port=6444",
        "--service-cluster-ip-range=10.96.0.0/12", "--authorization-mode=Node,RBAC",
        "--service-account-issuer=", "--service-account-signing-key-file=",
        "--requestheader-client-ca-file=", "--proxy-client-cert-file=",
        "--audit-policy-file=/etc/zerospof/audit-policy.yaml",
        "--audit-log-path=", "--default-unreachable-toleration-seconds=2 \\\n"})
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
}

// A restart (apply rolls them) must cost no request: /readyz fails first and the apiserver keeps
// serving until HAProxy's three checks and one more interval have passed; its watches end within
// 2 s, not the minute an apiserver otherwise waits for them.
TEST(ControlPlaneTest, AStoppingApiserverServesUntilHaproxyHasMarkedItDown) {
  auto delay = [](testing::Variant variant) {
    const File* file =
        testing::find_file(testing::rendered(variant).bundle, "cloudserver1",
                           std::string(layout::kUnitDir) + "/" + layout::kApiserverUnit);
    EXPECT_NE(file, nullptr);
    std::string text = file ? file->content : "";
    EXPECT_NE(text.find("--shutdown-watch-termination-grace-period=2s"), std::string::npos);
    std::size_t at = text.find("--shutdown-delay-duration=");
    return at == std::string::npos ? std::string()
                                   : text.substr(at, text.find_first_of(" \\\n", at) - at);
  };
  EXPECT_EQ(delay(testing::Variant::kVip), "--shutdown-delay-duration=800ms");  // 3 x 200 + 200
  EXPECT_EQ(delay(testing::Variant::kKubeadmGuide), "--shutdown-delay-duration=8000ms");
}

TEST(ControlPlaneTest, ControllersAreLeaderElectedOnTheLocalApiserver) {
  for (const char* name : {layout::kControllerManagerUnit, layout::kSchedulerUnit}) {
    std::string text = unit("micklethefickle", name);
    for (const char* flag :
         {"--leader-elect=true", "--leader-elect-lease-duration=4000ms",
          "--leader-elect-renew-deadline=3000ms", "--leader-elect-retry-period=500ms"})
      EXPECT_NE(text.find(flag), std::string::npos) << name << " " << flag;
  }
  for (const char* flag : {"--node-monitor-grace-period=8000ms", "--node-monitor-period=1000ms",
                           "--node-eviction-rate=2 \\\n"})
    EXPECT_NE(unit("micklethefickle", layout::kControllerManagerUnit).find(flag), std::string::npos)
        << flag;
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

TEST(ControlPlaneTest, RenderedControlPlaneStartsElectsLeadersAndAcceptsTheManifests) {
  // Given the rendered etcd, kube-apiserver, controller-manager and scheduler of one node run
  // with the rendered certificates, kubeconfigs and audit policy (only ports and paths moved
  // to loopback and a temporary directory), the admin kubeconfig should read /readyz and both
  // controllers should take their leader lease, and it should accept zerospof's own manifests.
  const testing::Rendered& r = testing::rendered();
  const std::string bin = testing::kLabBinaries;
  std::string kubectl = testing::find_program({bin + "/kubectl"});
  std::string dir = testing::temporary_directory("control-plane-run");
  testing::RunningEtcd etcd;
  testing::start_etcd(r, dir, etcd);
  if (etcd.url.empty() || kubectl.empty() ||
      testing::find_program({bin + "/kube-apiserver"}).empty())
    GTEST_SKIP() << "no lab binaries in " << bin << " (lab/binaries/build.sh)";
  testing::RunningApiserver api;
  testing::start_apiserver(r, dir, etcd, api);
  if (HasFatalFailure()) return;
  const std::string& admin = api.admin;
  std::string root = testing::written_path(r, "micklethefickle", "/etc/zerospof");
  std::vector<std::pair<std::string, std::string>> paths{{"/usr/local/bin", bin}};
  for (const char* conf : {"controller-manager", "scheduler"}) {
    std::string path = std::string("/etc/zerospof/kubeconfig/") + conf + ".conf";
    paths.emplace_back(
        path, testing::local_kubeconfig(root + "/kubeconfig/" + conf + ".conf", "127.0.0.1:6444",
                                        api.port, dir + "/" + conf + ".conf"));
  }
  paths.emplace_back("/etc/zerospof", root);
  // Their own HTTPS ports (10257, 10259) are off: the test checks the leases, not them.
  auto manager =
      testing::start_unit(r, layout::kControllerManagerUnit, paths,
                          dir + "/" + layout::kControllerManagerUnit + ".log", {"--secure-port=0"});
  ASSERT_TRUE(manager);
  testing::Stopper manager_stopper{*manager};
  auto scheduler =
      testing::start_unit(r, layout::kSchedulerUnit, paths,
                          dir + "/" + layout::kSchedulerUnit + ".log", {"--secure-port=0"});
  ASSERT_TRUE(scheduler);
  testing::Stopper scheduler_stopper{*scheduler};
  for (const char* lease : {"kube-controller-manager", "kube-scheduler"})
    EXPECT_TRUE(testing::eventually(
        {kubectl, "--kubeconfig", admin, "-n", "kube-system", "get", "lease", lease}, true, 60))
        << lease << ": "
        << *util::read_file(dir + "/" +
                            (std::string(lease) == "kube-scheduler"
                                 ? layout::kSchedulerUnit
                                 : layout::kControllerManagerUnit) +
                            ".log");

  // The manifests of built-in kinds, validated strictly by this apiserver (unknown or
  // misspelt fields are errors). Namespaces are created for real: a dry-run one does not exist.
  std::string manifests = testing::written_path(r, "", layout::kManifestDir);
  for (const char* name : {"monitoring", "ingress-nginx", "longhorn-system"}) {
    auto created =
        testing::run_program({kubectl, "--kubeconfig", admin, "create", "namespace", name});
    EXPECT_TRUE(created.succeeded()) << created.err;
  }
  // The snapshot CRDs are created for real (a dry-run CRD serves no kind), and must be accepted
  // as structural schemas and become Established, so the VolumeSnapshotClass below validates.
  auto crds = testing::run_program({kubectl, "--kubeconfig", admin, "apply", "--validate=strict",
                                    "-f", manifests + "/44-volume-snapshots.yaml"});
  EXPECT_TRUE(crds.succeeded()) << crds.out << crds.err;
  EXPECT_TRUE(
      testing::eventually({kubectl, "--kubeconfig", admin, "wait", "--for=condition=Established",
                           "--timeout=20s", "crd/volumesnapshotclasses.snapshot.storage.k8s.io",
                           "crd/volumesnapshots.snapshot.storage.k8s.io",
                           "crd/volumesnapshotcontents.snapshot.storage.k8s.io"},
                          true, 30));
  std::vector<std::string> apply{kubectl, "--kubeconfig",     admin,
                                 "apply", "--dry-run=server", "--validate=strict"};
  for (const char* file : {"10-coredns.yaml", "20-calico.yaml", "30-ingress-nginx.yaml",
                           "40-longhorn.yaml", "45-storage-classes.yaml", "50-monitoring.yaml",
                           "90-disruption-budgets.yaml", "95-network-policies.yaml"})
    apply.insert(apply.end(), {"-f", manifests + "/" + file});
  auto applied = testing::run_program(apply);
  EXPECT_TRUE(applied.succeeded()) << applied.out << applied.err;

  // The schemas really constrain: a snapshot must name exactly one source.
  std::string both = dir + "/two-sources.yaml";
  ASSERT_TRUE(util::write_file_atomic(both,
                                      "apiVersion: snapshot.storage.k8s.io/v1\n"
                                      "kind: VolumeSnapshot\n"
                                      "metadata: {name: data, namespace: default}\n"
                                      "spec:\n"
                                      "  volumeSnapshotClassName: longhorn-snapshot\n"
                                      "  source: {persistentVolumeClaimName: data, "
                                      "volumeSnapshotContentName: old}\n",
                                      {.mode = 0600}));
  auto refused = testing::run_program(
      {kubectl, "--kubeconfig", admin, "apply", "--dry-run=server", "-f", both});
  EXPECT_FALSE(refused.succeeded()) << refused.out;
  EXPECT_NE(refused.err.find("oneOf"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace zerospof::render
