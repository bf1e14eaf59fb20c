// The Kubernetes control plane on each control-plane node: kube-apiserver (etcd over mTLS to
// every member, audit log, Node and RBAC authorization), and kube-controller-manager and
// kube-scheduler, both leader-elected with the plan's lease timings and both talking to the
// apiserver of their own node (127.0.0.1), so that a node whose apiserver is down also drops
// out of leader election instead of leading through another node (src/analysis assumes this).
#include <fmt/format.h>

#include <cstdlib>

#include "render/context.h"
#include "render/failover_budget.h"
#include "render/kubeconfig.h"
#include "render/layout.h"
#include "render/unit.h"

namespace zerospof::render {

namespace {

const std::string kPki = layout::kPkiDir;
const std::string kAuditPolicy = std::string(layout::kConfigDir) + "/audit-policy.yaml";

std::string seconds(std::int64_t ms) { return fmt::format("{}", ms / 1000); }

// 37 for "v1.37.2" (the plan's version is checked to be v1.X[.Y]); 0 for anything else.
int kubernetes_minor(const std::string& version) {
  return version.rfind("v1.", 0) == 0 ? std::atoi(version.c_str() + 3) : 0;
}
std::string duration(std::int64_t ms) { return fmt::format("{}ms", ms); }

// Health probes every second from each HAProxy would drown the log; reads of secrets are
// logged without their content.
const char* audit_policy() {
  return R"(apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
  - level: None
    resources: [{group: coordination.k8s.io, resources: [leases]}]
    verbs: [get, update]
  - level: Metadata
    resources: [{group: "", resources: [secrets, configmaps, serviceaccounts/token]}]
  - level: Request
    verbs: [create, update, patch, delete, deletecollection]
  - level: Metadata
)";
}

// An apiserver on an etcd member talks to that member alone, as kubeadm's stacked control plane
// does. Given every member, its etcd clients spread requests over all of them, and when a host
// crashes the connections to its member stay open with nobody answering: every request the
// clients send there hangs until their keepalive gives up (10 s), and the drill measured writes
// through the surviving apiservers failing for 7.8 s. Alone with its own member, an apiserver
// whose member is gone fails /readyz and HAProxy routes around it, as around a dead apiserver.
// An apiserver on a node without a member (external etcd) needs them all.
std::string etcd_servers_of(const model::Cluster& cluster, const model::Node& node) {
  if (node.has_role(model::Role::kEtcd))
    return fmt::format("https://127.0.0.1:{}", layout::kEtcdClientPort);
  return etcd_client_urls(cluster);
}

std::vector<std::string> apiserver_command(const model::Cluster& cluster, const model::Node& node) {
  const std::string ec = layout::kApiserverEtcdClient;
  std::vector<std::string> command{
      std::string(layout::kBinDir) + "/kube-apiserver",
      "--advertise-address=" + address_of(node),
      "--bind-address=0.0.0.0",
      fmt::format("--secure-port={}", apiserver_port(cluster)),
      "--etcd-servers=" + etcd_servers_of(cluster, node),
      std::string("--etcd-cafile=") + layout::kEtcdCa,
      "--etcd-certfile=" + ec + ".crt",
      "--etcd-keyfile=" + ec + ".key",
      "--service-cluster-ip-range=" + cluster.kubernetes.service_subnet.to_string(),
      "--client-ca-file=" + kPki + "/ca.crt",
      "--tls-cert-file=" + kPki + "/apiserver.crt",
      "--tls-private-key-file=" + kPki + "/apiserver.key",
      "--kubelet-client-certificate=" + kPki + "/apiserver-kubelet-client.crt",
      "--kubelet-client-key=" + kPki + "/apiserver-kubelet-client.key",
      // Kubelets serve certificates of the cluster CA (node_agent.cpp): verified, so a machine
      // that takes over a node's address cannot receive its exec and logs traffic.
      "--kubelet-certificate-authority=" + kPki + "/ca.crt",
      "--service-account-key-file=" + kPki + "/sa.pub",
      "--service-account-signing-key-file=" + kPki + "/sa.key",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--requestheader-client-ca-file=" + kPki + "/front-proxy-ca.crt",
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-username-headers=X-Remote-User",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--proxy-client-cert-file=" + kPki + "/front-proxy-client.crt",
      "--proxy-client-key-file=" + kPki + "/front-proxy-client.key",
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      "--allow-privileged=true",
      "--audit-policy-file=" + kAuditPolicy,
      std::string("--audit-log-path=") + layout::kAuditLog,
      "--audit-log-maxage=30",
      "--audit-log-maxbackup=10",
      "--audit-log-maxsize=100",
      "--default-not-ready-toleration-seconds=" + seconds(cluster.tuning.eviction_toleration_ms),
      "--default-unreachable-toleration-seconds=" + seconds(cluster.tuning.eviction_toleration_ms),
      // A stopping apiserver fails /readyz but keeps serving until HAProxy has marked it down
      // (its checks, and one more interval), so no new connection reaches a closed port during
      // a restart (apply's rolling re-apply). The connections it still holds are cut when
      // HAProxy marks it down (on-marked-down shutdown-sessions, there for crashed apiservers):
      // their clients reconnect to another. Then it ends its own watches within 2 s instead of
      // waiting a minute for them.
      "--shutdown-delay-duration=" +
          duration(failover_budget(cluster).apiserver_out_of_pool.count() +
                   cluster.tuning.lb_check_interval_ms),
  };
  // The flag came with Kubernetes 1.27; an older apiserver refuses to start with it.
  if (kubernetes_minor(cluster.kubernetes.version) >= 27)
    command.push_back("--shutdown-watch-termination-grace-period=2s");
  return command;
}

std::vector<std::string> leader_election_flags(const model::Tuning& tuning) {
  return {"--leader-elect=true",
          "--leader-elect-lease-duration=" + duration(tuning.lease_duration_ms),
          "--leader-elect-renew-deadline=" + duration(tuning.renew_deadline_ms),
          "--leader-elect-retry-period=" + duration(tuning.retry_period_ms)};
}

std::vector<std::string> kubeconfig_flags(const std::string& kubeconfig) {
  return {"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig,
          "--authorization-kubeconfig=" + kubeconfig, "--bind-address=127.0.0.1"};
}

std::string kubeconfig_path(const std::string& name) {
  return std::string(layout::kKubeconfigDir) + "/" + name + ".conf";
}

std::vector<std::string> controller_manager_command(const model::Cluster& cluster) {
  std::vector<std::string> command{std::string(layout::kBinDir) + "/kube-controller-manager"};
  for (auto& flag : kubeconfig_flags(kubeconfig_path("controller-manager")))
    command.push_back(flag);
  for (auto& flag : leader_election_flags(cluster.tuning)) command.push_back(flag);
  std::vector<std::string> rest{
      "--cluster-name=" + cluster.name,
      "--node-monitor-period=" + duration(cluster.tuning.node_monitor_period_ms),
      // The node controller taints dead nodes for eviction at this rate (upstream: 0.1/s, one
      // node every 10 s, so a second dead worker's pods moved 10 s after the first's). The fast
      // tuning evicts two nodes a second; a zone with most of its nodes unhealthy still stops
      // evicting (--unhealthy-zone-threshold), which is the guard the slow rate adds to.
      // Never exactly 1 (upstream issue 104639): the node controller stops evicting by swapping
      // in a limiter that reports 1 per second, and swaps back only to a rate that differs from
      // what the current limiter reports. With 1, the stop at every cluster start (no node is
      // Ready yet) lasted until the controller-manager's leader changed: a dead worker's node
      // turned NotReady and was never tainted for eviction.
      fmt::format("--node-eviction-rate={}", node_eviction_rate(cluster.tuning)),
      "--node-monitor-grace-period=" + duration(cluster.tuning.node_monitor_grace_period_ms),
      "--allocate-node-cidrs=true",
      "--cluster-cidr=" + cluster.kubernetes.pod_subnet.to_string(),
      "--service-cluster-ip-range=" + cluster.kubernetes.service_subnet.to_string(),
      "--cluster-signing-cert-file=" + kPki + "/ca.crt",
      "--cluster-signing-key-file=" + kPki + "/ca.key",
      "--root-ca-file=" + kPki + "/ca.crt",
      "--service-account-private-key-file=" + kPki + "/sa.key",
      "--use-service-account-credentials=true",
  };
  command.insert(command.end(), rest.begin(), rest.end());
  return command;
}

std::vector<std::string> scheduler_command(const model::Cluster& cluster) {
  std::vector<std::string> command{std::string(layout::kBinDir) + "/kube-scheduler"};
  for (auto& flag : kubeconfig_flags(kubeconfig_path("scheduler"))) command.push_back(flag);
  for (auto& flag : leader_election_flags(cluster.tuning)) command.push_back(flag);
  return command;
}

void add_pki(const Context& context, const std::string& host, std::vector<File>& files) {
  const Certificates& certs = context.certs;
  add_pair(files, host, kPki + "/ca", certs.ca);  // the controller-manager signs node CSRs
  files.push_back(public_file(host, kPki + "/front-proxy-ca.crt", certs.front_proxy_ca.cert_pem));
  files.push_back(public_file(host, kPki + "/sa.pub", certs.service_account.cert_pem));
  files.push_back(secret_file(host, kPki + "/sa.key", certs.service_account.key_pem));
  add_pair(files, host, kPki + "/apiserver", certs.apiserver);
  add_pair(files, host, layout::kApiserverEtcdClient, certs.apiserver_etcd_client);
  add_pair(files, host, kPki + "/apiserver-kubelet-client", certs.apiserver_kubelet_client);
  add_pair(files, host, kPki + "/front-proxy-client", certs.front_proxy_client);
  files.push_back(
      public_file(host, std::string(layout::kEtcdPkiDir) + "/ca.crt", certs.etcd_ca.cert_pem));
}

void add_kubeconfigs(const Context& context, const std::string& host, std::vector<File>& files) {
  std::string local = fmt::format("https://127.0.0.1:{}", apiserver_port(context.cluster));
  const std::string& ca = context.certs.ca.cert_pem;
  files.push_back(
      secret_file(host, kubeconfig_path("controller-manager"),
                  kubeconfig_text(context.cluster.name, local, ca, context.certs.controller_manager,
                                  "system:kube-controller-manager")));
  files.push_back(secret_file(host, kubeconfig_path("scheduler"),
                              kubeconfig_text(context.cluster.name, local, ca,
                                              context.certs.scheduler, "system:kube-scheduler")));
}

}  // namespace

std::vector<File> control_plane_files(const Context& context, const model::Node& node) {
  if (!node.has_role(model::Role::kControlPlane)) return {};
  const model::Cluster& cluster = context.cluster;
  std::vector<File> files;
  add_pki(context, node.name, files);
  add_kubeconfigs(context, node.name, files);
  files.push_back(public_file(node.name, kAuditPolicy, audit_policy()));
  Unit apiserver{"Kubernetes API server", apiserver_command(cluster, node)};
  if (node.has_role(model::Role::kEtcd)) apiserver.after.push_back(layout::kEtcdUnit);
  Unit controller_manager{"Kubernetes controller manager",
                          controller_manager_command(cluster),
                          {layout::kApiserverUnit}};
  Unit scheduler{"Kubernetes scheduler", scheduler_command(cluster), {layout::kApiserverUnit}};
  files.push_back(unit_file(node.name, layout::kApiserverUnit, apiserver));
  files.push_back(unit_file(node.name, layout::kControllerManagerUnit, controller_manager));
  files.push_back(unit_file(node.name, layout::kSchedulerUnit, scheduler));
  return files;
}

}  // namespace zerospof::render
