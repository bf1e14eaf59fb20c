#include "render/manifests.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "model/pinned_versions.h"
#include "render/certificates.h"
#include "render/context.h"
#include "render/layout.h"
#include "render/monitoring.h"
#include "render/snapshots.h"
#include "render/upstream.h"

namespace zerospof::render {

namespace {

// "a: b, c: d" as YAML mapping lines at `indent`.
std::string label_lines(const std::string& labels, int indent) {
  std::string out;
  std::stringstream stream(labels);
  std::string pair;
  while (std::getline(stream, pair, ','))
    out += std::string(static_cast<size_t>(indent), ' ') +
           pair.substr(pair.find_first_not_of(' ')) + "\n";
  return out;
}

const char* kCorefile = R"(    .:53 {
        errors
        health {
          lameduck 5s
        }
        ready
        kubernetes cluster.local in-addr.arpa ip6.arpa {
          pods insecure
          fallthrough in-addr.arpa ip6.arpa
          ttl 30
        }
        prometheus :9153
        forward . /etc/resolv.conf {
          max_concurrent 1000
        }
        cache 30
        loop
        reload
        loadbalance
    }
)";

std::string coredns_rbac() {
  return service_account_with_role("kube-system", "coredns", "system:coredns",
                                   R"(  - apiGroups: [""]
    resources: [endpoints, services, pods, namespaces]
    verbs: [list, watch]
  - apiGroups: [discovery.k8s.io]
    resources: [endpointslices]
    verbs: [list, watch]
)");
}

std::string coredns_deployment(const model::Cluster& cluster) {
  return fmt::format(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {{app.kubernetes.io/name: coredns, k8s-app: kube-dns}}
spec:
  replicas: {replicas}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxUnavailable: 1, maxSurge: 0}}
  selector:
    matchLabels: {{app.kubernetes.io/name: coredns}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: coredns, k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      # Its upstream resolvers are the node's (forward . /etc/resolv.conf), as in upstream's
      # manifest: with the default ClusterFirst policy its resolv.conf names its own Service, and
      # it forwards to itself (its loop plugin then stops it; the lab's real pods found this).
      dnsPolicy: Default
      priorityClassName: system-cluster-critical
      tolerations: [{{key: CriticalAddonsOnly, operator: Exists}}]
      affinity:
{affinity}      containers:
        - name: coredns
          image: {image}
          args: [-conf, /etc/coredns/Corefile]
          ports:
            - {{name: dns, containerPort: 53, protocol: UDP}}
            - {{name: dns-tcp, containerPort: 53, protocol: TCP}}
            - {{name: metrics, containerPort: 9153, protocol: TCP}}
          resources:
            requests: {{cpu: 100m, memory: 70Mi}}
            limits: {{memory: 170Mi}}
          livenessProbe:
            httpGet: {{path: /health, port: 8080}}
            initialDelaySeconds: 60
            timeoutSeconds: 5
            failureThreshold: 5
          readinessProbe:
            httpGet: {{path: /ready, port: 8181}}
            periodSeconds: 2
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {{add: [NET_BIND_SERVICE], drop: [ALL]}}
            readOnlyRootFilesystem: true
          volumeMounts: [{{name: config, mountPath: /etc/coredns, readOnly: true}}]
      volumes:
        - name: config
          configMap: {{name: coredns, items: [{{key: Corefile, path: Corefile}}]}}
---
)",
                     fmt::arg("replicas", cluster.addons.coredns_replicas),
                     fmt::arg("image", model::pinned::kCoreDnsImage),
                     fmt::arg("affinity", anti_affinity("app.kubernetes.io/name: coredns", 8)));
}

}  // namespace

std::string anti_affinity(const std::string& labels, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  return pad + "podAntiAffinity:\n" + pad + "  requiredDuringSchedulingIgnoredDuringExecution:\n" +
         pad + "    - topologyKey: kubernetes.io/hostname\n" + pad + "      labelSelector:\n" +
         pad + "        matchLabels:\n" + label_lines(labels, indent + 10);
}

std::string service_account_with_role(const std::string& namespace_name, const std::string& account,
                                      const std::string& role, const std::string& rules) {
  return fmt::format(
      R"(apiVersion: v1
kind: ServiceAccount
metadata: {{name: {account}, namespace: {namespace}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: "{role}"}}
rules:
{rules}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: "{role}"}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "{role}"}}
subjects: [{{kind: ServiceAccount, name: {account}, namespace: {namespace}}}]
---
)",
      fmt::arg("namespace", namespace_name), fmt::arg("account", account), fmt::arg("role", role),
      fmt::arg("rules", rules));
}

std::string budget(const std::string& namespace_name, const std::string& name,
                   const std::string& labels) {
  return fmt::format(
      "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {}\n"
      "  namespace: {}\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n{}---\n",
      name, namespace_name, label_lines(labels, 6));
}

std::string coredns_manifest(const model::Cluster& cluster) {
  std::string out = coredns_rbac();
  out +=
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: coredns, namespace: kube-system}\n"
      "data:\n  Corefile: |\n";
  out += kCorefile;
  out += "---\n" + coredns_deployment(cluster);
  out += fmt::format(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: kube-dns\n  namespace: kube-system\n"
      "  labels: {{k8s-app: kube-dns}}\nspec:\n  clusterIP: {}\n"
      "  selector: {{app.kubernetes.io/name: coredns}}\n  ports:\n"
      "    - {{name: dns, port: 53, protocol: UDP}}\n"
      "    - {{name: dns-tcp, port: 53, protocol: TCP}}\n"
      "    - {{name: metrics, port: 9153, protocol: TCP}}\n---\n",
      service_address(cluster, 10));
  out += budget("kube-system", "coredns", "app.kubernetes.io/name: coredns");
  return out;
}

std::string disruption_budgets_manifest(const model::Cluster& cluster) {
  std::string out;
  if (cluster.storage.provider == model::StorageProvider::kLonghorn)
    // Created at run time by longhorn-driver-deployer, 3 replicas each: one down at a time.
    for (const char* app : {"csi-attacher", "csi-provisioner", "csi-resizer", "csi-snapshotter"})
      out += budget("longhorn-system", app, fmt::format("app: {}", app));
  return out;
}

std::string network_policies_manifest(const model::Cluster& cluster) {
  std::string out;
  // Default deny for incoming traffic in the namespaces zerospof fills, then exactly what
  // their pods serve. Egress stays open (DNS, the apiserver, upstream resolvers).
  auto deny = [](const std::string& ns) {
    return fmt::format(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
        "  name: default-deny-ingress\n  namespace: {}\nspec:\n  podSelector: {{}}\n"
        "  policyTypes: [Ingress]\n---\n",
        ns);
  };
  out += deny("kube-system");
  out += R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: kube-system}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/name: coredns}}
  policyTypes: [Ingress]
  ingress:
    - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}, {port: 9153, protocol: TCP}]
---
)";
  if (cluster.addons.ingress_replicas > 0 && cluster.addons.ingress_provider == "ingress-nginx") {
    out += deny("ingress-nginx");
    out += R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-ingress-controller, namespace: ingress-nginx}
spec:
  podSelector: {matchLabels: {app.kubernetes.io/component: controller}}
  policyTypes: [Ingress]
  ingress:
    # HTTP(S) from anywhere, the admission webhook from the apiservers, metrics.
    - ports: [{port: 80}, {port: 443}, {port: 8443}, {port: 10254}]
---
)";
  }
  return out;
}

std::string storage_manifest(const model::Cluster& cluster) {
  if (cluster.storage.provider != model::StorageProvider::kLonghorn) return "";
  return R"(apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata: {name: longhorn-snapshot}
driver: driver.longhorn.io
deletionPolicy: Delete
parameters: {type: snap}
---
)";
}

util::Result<std::vector<File>> render_manifests(const model::Cluster& cluster,
                                                 const RenderOptions& options) {
  const std::string dir = layout::kManifestDir;
  std::vector<File> files{
      public_file("", dir + "/10-coredns.yaml", coredns_manifest(cluster)),
      public_file("", dir + "/90-disruption-budgets.yaml", disruption_budgets_manifest(cluster)),
      public_file("", dir + "/95-network-policies.yaml", network_policies_manifest(cluster)),
  };
  files.push_back(
      public_file("", dir + "/44-volume-snapshots.yaml",
                  snapshot_crds_manifest(cluster) + snapshot_controller_manifest(cluster)));
  files.push_back(public_file("", dir + "/45-storage-classes.yaml", storage_manifest(cluster)));
  files.push_back(public_file("", dir + "/50-monitoring.yaml", monitoring_manifest(cluster)));
  if (simulated_nodes(options))
    files.push_back(public_file("", dir + "/05-lab-nodes.yaml", lab_manifest(cluster)));
  ZEROSPOF_ASSIGN_OR_RETURN(std::vector<File> upstream, upstream_manifests(cluster, options));
  for (File& file : upstream) files.push_back(std::move(file));
  std::vector<std::string> left_out, left_out_namespaces;
  for (const LeftOut& part : lab_left_out(cluster, options)) {
    for (const std::string& manifest : part.manifests) left_out.push_back(dir + "/" + manifest);
    for (const std::string& name : part.namespaces) left_out_namespaces.push_back(name);
  }
  if (!left_out_namespaces.empty())
    for (File& file : files) file.content = without_namespaces(file.content, left_out_namespaces);
  std::erase_if(files, [&](const File& file) {
    return file.content.empty() ||
           std::find(left_out.begin(), left_out.end(), file.path) != left_out.end();
  });
  return files;
}

}  // namespace zerospof::render
