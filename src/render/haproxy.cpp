// HAProxy in front of every apiserver: TCP passthrough (clients keep end-to-end TLS with the
// apiserver), health-checked over TLS on /readyz and verified against the cluster CA, so a
// backend that is up but not ready (lost etcd, still starting) gets no traffic. Three failed
// checks mark it down and `on-marked-down shutdown-sessions` cuts its open connections, so that
// long watches reconnect to a healthy apiserver at once instead of hanging on a dead one. With
// the fast tuning, when every apiserver fails its checks at once, clients are routed to all of
// them anyway (fail open), rather than to none.
// vip mode: on the VIP holders, listening on every address (so on the VIP wherever it moves).
// local-proxy mode: on every node, on 127.0.0.1 only.
#include <fmt/format.h>

#include <algorithm>

#include "render/context.h"
#include "render/layout.h"

namespace zerospof::render {

namespace {

std::string backends(const model::Cluster& cluster) {
  std::string out;
  for (const model::Node* node : cluster.nodes_with_role(model::Role::kControlPlane))
    out += fmt::format("  server {} {}:{}\n", node->name, model::url_host(address_of(*node)),
                       apiserver_port(cluster));
  return out;
}

// fast tuning: when every apiserver fails its checks at once, route to all of them anyway (what
// Envoy calls panic routing). On a saturated host the checks' 0.2 s deadlines fail for apiservers
// that still serve (a drill's apiserver-killed in CI: every check failing while one apiserver
// restarted), and a pool with nobody in it refuses every client; the unchecked pool lets the
// clients' own, longer deadlines decide, and a refused connection is still tried on another
// apiserver (retries, redispatch). Apiservers that are really all down answer nothing either way.
std::string fail_open(const model::Cluster& cluster) {
  if (cluster.tuning.profile == model::TuningProfile::kKubeadmGuide) return "";
  return "  use_backend kube-apiservers-unchecked if { nbsrv(kube-apiservers) eq 0 }\n";
}

std::string unchecked_backend(const model::Cluster& cluster) {
  if (cluster.tuning.profile == model::TuningProfile::kKubeadmGuide) return "";
  return "\nbackend kube-apiservers-unchecked\n  balance roundrobin\n" + backends(cluster);
}

// fast tuning: a connection that finds its apiserver dead (refused, or no answer within two check
// intervals) is tried again on another one before the client sees anything, so a killed
// apiserver costs only the requests it was serving. The kubeadm guide's setup has neither.
std::string retries(const model::Tuning& tuning) {
  if (tuning.profile == model::TuningProfile::kKubeadmGuide) return "  timeout connect 5s\n";
  return fmt::format("  timeout connect {}ms\n  retries 3\n  option redispatch 1\n",
                     std::clamp<std::int64_t>(2 * tuning.lb_check_interval_ms, 200, 5000));
}

std::string haproxy_config(const model::Cluster& cluster) {
  bool vip = cluster.endpoint.mode == model::EndpointMode::kVip;
  std::string bind = vip ? fmt::format(":{}", cluster.endpoint.port)
                         : fmt::format("127.0.0.1:{}", cluster.endpoint.port);
  return fmt::format(
      R"(# Rendered by zerospof render: the API endpoint ({mode} mode).
global
  log /dev/log local0
  # Each connection takes two descriptors: 8000 stays within a 20000 descriptor limit.
  maxconn 8000
  stats socket /run/haproxy/admin.sock mode 600 level admin

defaults
  mode tcp
  log global
  option tcplog
  option dontlognull
{retries}  # Watches stay open for minutes; the apiserver ends them itself.
  timeout client 1h
  timeout server 1h

frontend kube-apiserver
  bind {bind}
{fail_open}  default_backend kube-apiservers

backend kube-apiservers
  balance roundrobin
  timeout check {inter}ms
  option httpchk GET /readyz
  http-check expect status 200
  default-server check check-ssl verify required ca-file {ca} inter {inter}ms fall 3 rise 2 on-marked-down shutdown-sessions
{servers}{unchecked}
frontend stats
  mode http
  bind 127.0.0.1:{stats}
  stats enable
  stats uri /stats
  stats refresh 5s
)",
      fmt::arg("mode", model::to_string(cluster.endpoint.mode)), fmt::arg("bind", bind),
      fmt::arg("ca", std::string(layout::kPkiDir) + "/ca.crt"),
      fmt::arg("inter", cluster.tuning.lb_check_interval_ms),
      fmt::arg("retries", retries(cluster.tuning)), fmt::arg("servers", backends(cluster)),
      fmt::arg("fail_open", fail_open(cluster)), fmt::arg("unchecked", unchecked_backend(cluster)),
      fmt::arg("stats", layout::kHaproxyStatsPort));
}

}  // namespace

bool runs_haproxy(const model::Cluster& cluster, const model::Node& node) {
  return cluster.endpoint.mode == model::EndpointMode::kLocalProxy || holds_vip(cluster, node);
}

std::vector<File> haproxy_files(const Context& context, const model::Node& node) {
  if (!runs_haproxy(context.cluster, node)) return {};
  return {
      public_file(node.name, layout::kHaproxyConfig, haproxy_config(context.cluster)),
      public_file(node.name, std::string(layout::kPkiDir) + "/ca.crt", context.certs.ca.cert_pem)};
}

}  // namespace zerospof::render
