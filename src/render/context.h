// What every part of the render reads: the plan, the issued certificates and the options, and
// small helpers to make Files. Internal to render.
#pragma once

#include <string>
#include <vector>

#include "model/cluster.h"
#include "render/certificates.h"
#include "render/layout.h"
#include "render/render.h"
#include "render/unit.h"

namespace zerospof::render {

struct Context {
  const model::Cluster& cluster;
  const Certificates& certs;
  const RenderOptions& options;
};

inline File public_file(std::string host, std::string path, std::string content,
                        unsigned mode = 0644) {
  return File{std::move(host), std::move(path), mode, std::move(content), false};
}

// A systemd unit file at its place, carrying its index entry.
inline File unit_file(std::string host, const std::string& name, const Unit& unit) {
  File file = public_file(std::move(host), layout::unit_path(name), unit_text(unit));
  file.unit = unit_entry(name, unit);
  return file;
}

// Private keys and anything embedding one: 0600 and never printed.
inline File secret_file(std::string host, std::string path, std::string content) {
  return File{std::move(host), std::move(path), 0600, std::move(content), true};
}

// A certificate and its key as two files, `<directory>/<stem>.crt` and `.key`.
inline void add_pair(std::vector<File>& files, const std::string& host, const std::string& stem,
                     const KeyPair& pair) {
  files.push_back(public_file(host, stem + ".crt", pair.cert_pem));
  files.push_back(secret_file(host, stem + ".key", pair.key_pem));
}

// The apiservers' etcd client URLs ("https://198.18.7.11:2379,...") in plan order.
std::string etcd_client_urls(const model::Cluster& cluster);

// The API endpoint as node agents and the admin reach it.
std::string endpoint_url(const model::Cluster& cluster);

// The node lease kwok holds, renewed every quarter of it as the kubelet renews its own: the
// tuning's, but at most a quarter of the node grace period. The kubelet holds its node's lease as
// the node; each kwok process holds it under an identity of its own (hostname and a new UUID),
// and a restarted kwok takes it over only once its predecessor's lease has expired. With a 40 s
// lease and a 20 s grace period (fast's earlier defaults), every kwok restart (each rolling
// re-apply restarts them all) left its node NotReady for about 20 s in the lab. A quarter, not a
// half: a re-apply that changes the tuning (drill --compare-tuning) restarts kwok with the new
// grace period while the old kwok's lease is the old tuning's, and kubeadm-guide's grace is five
// times fast's. A dead lab host still stops renewing, and its node turns NotReady after the grace
// period.
std::int64_t kwok_lease_seconds(const model::Tuning& tuning);

// client-go's health check of a node agent's HTTP/2 connection to the API (kubelet, kube-proxy,
// kwok), as the environment they read it from: a ping after HTTP2_READ_IDLE_TIMEOUT_SECONDS
// without a frame, the connection closed after HTTP2_PING_TIMEOUT_SECONDS without an answer.
// When a VIP holder crashes, a connection through it whose request waits for an answer sends
// nothing more, so nothing tells the agent it is dead until this check pings it: kwok's lease
// renewal hung about 29 s in the lab, and a kube-proxy's idle watch would miss every change of
// endpoints as long. Upstream's 30 s + 15 s is longer than the fast tuning's node grace period:
// a healthy node could turn NotReady (upstream asks for a grace period longer than the sum). With
// the fast profile each is a fifth of the grace period (at least 1 s, at most upstream's), so both
// fit in it twice; kubeadm-guide keeps upstream's, as the guide's users run it.
std::vector<std::string> api_client_environment(const model::Tuning& tuning);

std::vector<File> etcd_files(const Context& context, const model::Node& node);
std::vector<File> control_plane_files(const Context& context, const model::Node& node);
std::vector<File> haproxy_files(const Context& context, const model::Node& node);
std::vector<File> keepalived_files(const Context& context, const model::Node& node);
std::vector<File> node_agent_files(const Context& context, const model::Node& node);
// Nodes whose agent is kwok (the lab without real pods): they run no container, so they have no
// container runtime, kube-proxy or kernel settings.
inline bool simulated_nodes(const RenderOptions& options) {
  return options.lab && !options.lab_real_pods;
}
// The lab with real pods (render/lab_data_plane.cpp).
inline bool lab_with_real_pods(const RenderOptions& options) {
  return options.lab && options.lab_real_pods;
}
// Real hosts, and lab hosts with real pods (none where kwok stands in for the kubelet):
std::vector<File> container_runtime_files(const Context& context, const model::Node& node);
std::vector<File> kube_proxy_files(const Context& context, const model::Node& node);
std::vector<File> node_kernel_files(const Context& context, const model::Node& node);
std::vector<File> nftables_files(const Context& context, const model::Node& node);
// The lab with real pods only: the image archives' import and the pod network standing in for
// the plan's CNI (render/lab_data_plane.cpp).
std::vector<File> lab_data_plane_files(const Context& context, const model::Node& node);
// `manifest` (documents each ending in "---\n", as render writes them) without the documents of
// objects in `namespaces`: zerospof's own objects (budgets, policies) of what the lab leaves out.
std::string without_namespaces(const std::string& manifest,
                               const std::vector<std::string>& namespaces);
// Fails unless the plan's pod subnet has a /24 for every node (the lab's pod network).
util::Status check_lab_pod_subnet(const model::Cluster& cluster);

// The lab's Kubernetes objects: kwok's RBAC and a Node object per plan node (labels, taints).
std::string lab_manifest(const model::Cluster& cluster);

// Whether the node runs keepalived: a control-plane node in vip mode whose address is inside
// the VIP's subnet (only those can hold the VIP; the analysis counts the same ones).
bool holds_vip(const model::Cluster& cluster, const model::Node& node);
// keepalived's priority of a VIP holder: 150 down to 50 in plan order, so that one backup claims
// the VIP first (render/keepalived.cpp).
int vip_priority(const model::Cluster& cluster, const model::Node& node);
// Whether the node runs HAProxy: the VIP holders in vip mode, every node in local-proxy mode.
bool runs_haproxy(const model::Cluster& cluster, const model::Node& node);

}  // namespace zerospof::render
