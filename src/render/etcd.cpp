// etcd: one member per etcd-role node, TLS with client-certificate authentication on both the
// client and the peer port (the etcd CA signs every member and the apiservers' client
// certificate), timings from the plan's tuning.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "render/context.h"
#include "render/layout.h"
#include "render/unit.h"

namespace zerospof::render {

namespace {

std::string peer_url(const model::Node& node) {
  return fmt::format("https://{}:{}", model::url_host(address_of(node)), layout::kEtcdPeerPort);
}

std::string initial_cluster(const model::Cluster& cluster) {
  std::vector<std::string> members;
  for (const model::Node* node : cluster.nodes_with_role(model::Role::kEtcd))
    members.push_back(node->name + "=" + peer_url(*node));
  return fmt::format("{}", fmt::join(members, ","));
}

std::vector<std::string> etcd_command(const model::Cluster& cluster, const model::Node& node) {
  const std::string pki = layout::kEtcdPkiDir;
  const std::string address = model::url_host(address_of(node));
  const model::Tuning& tuning = cluster.tuning;
  return {
      std::string(layout::kBinDir) + "/etcd",
      "--name=" + node.name,
      std::string("--data-dir=") + layout::kEtcdDataDir,
      fmt::format("--listen-client-urls=https://{}:{},https://127.0.0.1:{}", address,
                  layout::kEtcdClientPort, layout::kEtcdClientPort),
      fmt::format("--advertise-client-urls=https://{}:{}", address, layout::kEtcdClientPort),
      fmt::format("--listen-peer-urls=https://{}:{}", address, layout::kEtcdPeerPort),
      "--initial-advertise-peer-urls=" + peer_url(node),
      "--initial-cluster=" + initial_cluster(cluster),
      // Only read when the data directory is empty: a restarted member rejoins with its data.
      "--initial-cluster-state=new",
      "--initial-cluster-token=" + cluster.name,
      "--client-cert-auth=true",
      "--trusted-ca-file=" + pki + "/ca.crt",
      "--cert-file=" + pki + "/server.crt",
      "--key-file=" + pki + "/server.key",
      "--peer-client-cert-auth=true",
      "--peer-trusted-ca-file=" + pki + "/ca.crt",
      "--peer-cert-file=" + pki + "/peer.crt",
      "--peer-key-file=" + pki + "/peer.key",
      fmt::format("--heartbeat-interval={}", tuning.etcd_heartbeat_interval_ms),
      fmt::format("--election-timeout={}", tuning.etcd_election_timeout_ms),
      // Health and metrics without client certificates, on loopback only.
      "--listen-metrics-urls=http://127.0.0.1:2381",
  };
}

}  // namespace

std::string etcd_client_urls(const model::Cluster& cluster) {
  std::vector<std::string> urls;
  for (const model::Node* node : cluster.nodes_with_role(model::Role::kEtcd))
    urls.push_back(
        fmt::format("https://{}:{}", model::url_host(address_of(*node)), layout::kEtcdClientPort));
  return fmt::format("{}", fmt::join(urls, ","));
}

std::vector<File> etcd_files(const Context& context, const model::Node& node) {
  if (!node.has_role(model::Role::kEtcd)) return {};
  std::vector<File> files;
  const std::string pki = layout::kEtcdPkiDir;
  files.push_back(public_file(node.name, pki + "/ca.crt", context.certs.etcd_ca.cert_pem));
  add_pair(files, node.name, pki + "/server", context.certs.etcd_server.at(node.name));
  add_pair(files, node.name, pki + "/peer", context.certs.etcd_peer.at(node.name));
  Unit unit{"etcd member " + node.name + " of cluster " + context.cluster.name,
            etcd_command(context.cluster, node),
            {},
            StartType::kNotify};
  // etcd's tuning guide: give the member priority over what shares its host. Ten times a default
  // unit's share (CPUWeight 100), and a nice value that still leaves the kernel's own threads and
  // anything the operator runs at -20 above it.
  unit.nice = -10;
  unit.cpu_weight = 1000;
  files.push_back(unit_file(node.name, layout::kEtcdUnit, unit));
  return files;
}

}  // namespace zerospof::render
