#include "render/monitoring.h"

#include <fmt/format.h>

#include "render/manifests.h"

namespace zerospof::render {

namespace {

struct App {
  const char* name;
  int replicas;
  const char* image;
  std::string args;  // YAML flow sequence
  int port;
  const char* ready;    // readiness path
  const char* live;     // liveness path
  const char* volumes;  // the pod's volumes, a YAML flow sequence
  const char* mounts;   // the container's volume mounts, a YAML flow sequence
};

std::string labels(const char* name) { return fmt::format("app.kubernetes.io/name: {}", name); }

std::string deployment(const App& app) {
  return fmt::format(
      R"(apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: monitoring, labels: {{app.kubernetes.io/name: {name}}}}}
spec:
  replicas: {replicas}
  strategy: {{type: RollingUpdate, rollingUpdate: {{maxUnavailable: 1, maxSurge: 0}}}}
  selector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}
  template:
    metadata: {{labels: {{app.kubernetes.io/name: {name}}}}}
    spec:
      serviceAccountName: {name}
      affinity:
{affinity}      containers:
        - name: {name}
          image: {image}
          args: {args}
          ports: [{{name: http, containerPort: {port}}}]
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 1Gi}}}}
          readinessProbe: {{httpGet: {{path: {ready}, port: {port}}}, periodSeconds: 5}}
          livenessProbe: {{httpGet: {{path: {live}, port: {port}}}, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 5}}
          volumeMounts: {mounts}
      volumes: {volumes}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: monitoring}}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: monitoring}}
spec:
  selector: {{app.kubernetes.io/name: {name}}}
  ports: [{{name: http, port: {port}}}]
---
)",
      fmt::arg("name", app.name), fmt::arg("replicas", app.replicas),
      fmt::arg("affinity", anti_affinity(labels(app.name), 8)), fmt::arg("image", app.image),
      fmt::arg("args", app.args), fmt::arg("port", app.port), fmt::arg("ready", app.ready),
      fmt::arg("live", app.live), fmt::arg("mounts", app.mounts), fmt::arg("volumes", app.volumes));
}

std::string endpoint_job(const model::Cluster& cluster) {
  if (cluster.endpoint.mode != model::EndpointMode::kVip || !cluster.endpoint.address) return "";
  return fmt::format(
      R"(      # The API through the VIP, as clients see it: down means no node holds a working VIP.
      - job_name: api-endpoint
        scheme: https
        tls_config: {{ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}}
        authorization: {{credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token}}
        static_configs: [{{targets: ["{}:{}"]}}]
)",
      cluster.endpoint.address->to_string(), cluster.endpoint.port);
}

std::string prometheus_config(const model::Cluster& cluster) {
  return fmt::format(
      R"(apiVersion: v1
kind: ConfigMap
metadata: {{name: prometheus, namespace: monitoring}}
data:
  prometheus.yml: |
    global: {{scrape_interval: 15s, evaluation_interval: 15s}}
    rule_files: [/etc/prometheus/rules.yml]
    alerting:
      alertmanagers:
        - kubernetes_sd_configs: [{{role: pod, namespaces: {{names: [monitoring]}}}}]
          relabel_configs:
            - {{source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_name], regex: alertmanager, action: keep}}
            - {{source_labels: [__meta_kubernetes_pod_container_port_number], regex: "9093", action: keep}}
    scrape_configs:
      - job_name: apiserver
        kubernetes_sd_configs: [{{role: endpoints}}]
        scheme: https
        tls_config: {{ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}}
        authorization: {{credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token}}
        relabel_configs:
          - {{source_labels: [__meta_kubernetes_namespace, __meta_kubernetes_service_name], regex: default;kubernetes, action: keep}}
      - job_name: kube-state-metrics
        static_configs: [{{targets: ["kube-state-metrics.monitoring.svc:8080"]}}]
{endpoint}  rules.yml: |
    groups:
      - name: zerospof
        rules:
          - alert: NodeNotReady
            expr: kube_node_status_condition{{condition="Ready",status="true"}} == 0
            for: 1m
            annotations: {{summary: "node {{{{ $labels.node }}}} is NotReady: the cluster runs without its redundancy"}}
          - alert: ApiserverRedundancyLost
            expr: count(up{{job="apiserver"}} == 1) < {apiservers}
            for: 1m
            annotations: {{summary: "an apiserver is down: one more failure may take the API down"}}
          - alert: EtcdUnhealthy
            expr: max(kubernetes_healthcheck{{name="etcd",type="readyz"}}) == 0 or absent(up{{job="apiserver"}} == 1)
            for: 30s
            annotations: {{summary: "the apiservers see etcd as not ready: quorum may be lost"}}
          - alert: ApiEndpointDown
            expr: up{{job="api-endpoint"}} == 0
            for: 30s
            annotations: {{summary: "the API VIP does not answer: no node holds a working VIP"}}
---
)",
      fmt::arg("endpoint", endpoint_job(cluster)),
      fmt::arg("apiservers", cluster.nodes_with_role(model::Role::kControlPlane).size()));
}

const char* kRbac = R"(apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: zerospof-monitoring}
rules:
  - apiGroups: ["", apps, batch, policy, coordination.k8s.io, discovery.k8s.io, networking.k8s.io, storage.k8s.io, autoscaling]
    resources: ["*"]
    verbs: [get, list, watch]
  - nonResourceURLs: [/metrics]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: zerospof-monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: zerospof-monitoring}
subjects:
  - {kind: ServiceAccount, name: prometheus, namespace: monitoring}
  - {kind: ServiceAccount, name: kube-state-metrics, namespace: monitoring}
---
)";

const char* kGrafanaSource = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: grafana, namespace: monitoring}
data:
  datasource.yaml: |
    apiVersion: 1
    datasources:
      - {name: Prometheus, type: prometheus, access: proxy, url: "http://prometheus.monitoring.svc:9090", isDefault: true}
---
)";

std::vector<App> apps() {
  return {
      {"prometheus", 2, "quay.io/prometheus/prometheus:v3.5.0",
       "[--config.file=/etc/prometheus/prometheus.yml, --storage.tsdb.retention.time=15d]", 9090,
       "/-/ready", "/-/healthy", "[{name: config, configMap: {name: prometheus}}]",
       "[{name: config, mountPath: /etc/prometheus}]"},
      // Peers find each other through the headless Service; they deduplicate notifications.
      {"alertmanager", 3, "quay.io/prometheus/alertmanager:v0.28.1",
       "[--config.file=/etc/alertmanager/alertmanager.yml, "
       "--cluster.peer=alertmanager-peers.monitoring.svc:9094]",
       9093, "/-/ready", "/-/healthy", "[{name: config, configMap: {name: alertmanager}}]",
       "[{name: config, mountPath: /etc/alertmanager}]"},
      {"grafana", 2, "docker.io/grafana/grafana:12.1.0", "[]", 3000, "/api/health", "/api/health",
       "[{name: datasources, configMap: {name: grafana}}]",
       "[{name: datasources, mountPath: /etc/grafana/provisioning/datasources}]"},
      {"kube-state-metrics", 2, "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0",
       "[--port=8080]", 8080, "/readyz", "/livez", "[]", "[]"},
  };
}

}  // namespace

std::string monitoring_manifest(const model::Cluster& cluster) {
  if (!cluster.addons.monitoring_enabled) return "";
  std::string out = kRbac;
  out += prometheus_config(cluster);
  out += kGrafanaSource;
  out += R"(apiVersion: v1
kind: ConfigMap
metadata: {name: alertmanager, namespace: monitoring}
data:
  alertmanager.yml: |
    route: {receiver: default, group_by: [alertname]}
    receivers: [{name: default}]
---
apiVersion: v1
kind: Service
metadata: {name: alertmanager-peers, namespace: monitoring}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app.kubernetes.io/name: alertmanager}
  ports: [{name: cluster, port: 9094}]
---
)";
  for (const App& app : apps()) {
    out += deployment(app);
    out += budget("monitoring", app.name, labels(app.name));
  }
  return out;
}

}  // namespace zerospof::render
