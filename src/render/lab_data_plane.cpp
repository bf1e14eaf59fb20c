// What a lab host with real pods needs beyond what a real host gets (zerospof lab; see
// docs/lab.md for what is real there and what is not):
// - the images its pods run, as archives that apply pushes from the lab's binary cache (built
//   from source: no registry is reachable from the lab) and a oneshot unit that imports them into
//   containerd before the kubelet starts;
// - a pod network standing in for the plan's CNI, which cannot run in the lab (Calico's images
//   cannot be built here and the machine's kernel has no IPIP): the reference bridge and
//   host-local plugins, one /24 of the plan's pod subnet per node, and routes to every other
//   node's /24 through that node's address, so that traffic between pods of two nodes crosses the
//   lab's bridge as it would cross a server's network, and a partition of the lab really cuts it.
// - the resolver that pods using the node's DNS get (CoreDNS forwards to it what is not the
//   cluster's): the lab reaches no DNS server, and a node whose resolv.conf names none, or a
//   loopback one, makes CoreDNS forward to itself (its loop plugin then stops it). The node's own
//   address, where nothing answers port 53: names outside the cluster fail at once, inside the lab.
// NetworkPolicies are not enforced by this network (the bridge plugin has no policy engine).
#include <fmt/format.h>

#include <algorithm>

#include "render/context.h"
#include "render/layout.h"

namespace zerospof::render {

namespace {

// The /24 of the pod subnet that node `index` (its place in the plan) gives its pods; the plan's
// pod subnet has room for one per node (check_renderable refused it otherwise).
std::string node_pod_subnet(const model::Cluster& cluster, std::size_t index) {
  model::IpAddress base = cluster.kubernetes.pod_subnet.network();
  std::uint32_t value = (std::uint32_t{base.bytes[0]} << 24) |
                        (std::uint32_t{base.bytes[1]} << 16) | (std::uint32_t{base.bytes[2]} << 8) |
                        base.bytes[3];
  value += static_cast<std::uint32_t>(index) << 8;
  return fmt::format("{}.{}.{}.0/24", value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff);
}

std::size_t index_of(const model::Cluster& cluster, const model::Node& node) {
  return static_cast<std::size_t>(&node - cluster.nodes.data());
}

std::string cni_config(const std::string& subnet) {
  return fmt::format(R"({{
  "cniVersion": "1.0.0",
  "name": "zerospof-lab",
  "plugins": [
    {{
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {{
        "type": "host-local",
        "ranges": [[{{"subnet": "{}"}}]],
        "routes": [{{"dst": "0.0.0.0/0"}}]
      }}
    }},
    {{"type": "portmap", "capabilities": {{"portMappings": true}}}}
  ]
}}
)",
                     subnet);
}

}  // namespace

util::Status check_lab_pod_subnet(const model::Cluster& cluster) {
  const model::Cidr& pods = cluster.kubernetes.pod_subnet;
  std::size_t room = pods.prefix_length > 24 ? 0 : std::size_t{1} << (24 - pods.prefix_length);
  if (pods.base.family != 4 || room < cluster.nodes.size()) {
    return util::fail(util::Error::invalid_input(
        fmt::format("the lab's pod network gives each node a /24 of kubernetes.podSubnet, and {} "
                    "has no room for {} nodes",
                    pods.to_string(), cluster.nodes.size()),
        cluster.location_of("spec.kubernetes.podSubnet"),
        "give kubernetes.podSubnet an IPv4 prefix of /16 (or at most /24 minus log2 of the node "
        "count), or use the simulated lab (without --lab-pods)"));
  }
  return {};
}

std::vector<File> lab_data_plane_files(const Context& context, const model::Node& node) {
  if (!lab_with_real_pods(context.options)) return {};
  const model::Cluster& cluster = context.cluster;
  Unit images{"zerospof lab: imports the image archives of its pods into containerd",
              {"/bin/sh", "-c",
               fmt::format("'for image in {}/image-*.tar; do {} --namespace k8s.io images import "
                           "\"$$image\" || exit 1; done'",
                           layout::kImageDir, layout::binary_path("ctr"))}};
  images.wants = {layout::kContainerdUnit};
  images.type = StartType::kOneshot;

  std::string routes =
      "# Rendered by zerospof render: every other node's pod subnet, via it, and the Services.\n";
  const model::Node* neighbour = nullptr;
  for (const model::Node& other : cluster.nodes) {
    if (&other == &node) continue;
    if (!neighbour) neighbour = &other;
    routes += fmt::format("route replace {} via {}\n",
                          node_pod_subnet(cluster, index_of(cluster, other)), address_of(other));
  }
  // A connection the node itself makes to a Service (a cluster IP) needs a route before
  // kube-proxy's OUTPUT rules rewrite its destination to a pod: a real host's default route is
  // one, a lab host has none. Any neighbour will do; the packet leaves for the pod, not for it.
  if (neighbour)
    routes += fmt::format("route replace {} via {}\n",
                          cluster.kubernetes.service_subnet.to_string(), address_of(*neighbour));
  Unit pod_routes{"zerospof lab: routes to the pods of every other node",
                  {"/sbin/ip", "-batch", layout::kLabPodRoutes}};
  pod_routes.type = StartType::kOneshot;
  return {public_file(node.name, layout::kLabResolvConf,
                      fmt::format("# Rendered by zerospof render: the lab has no DNS server beyond "
                                  "CoreDNS; nothing answers here.\nnameserver {}\n",
                                  address_of(node))),
          public_file(node.name, layout::kLabCniConfig,
                      cni_config(node_pod_subnet(cluster, index_of(cluster, node)))),
          public_file(node.name, layout::kLabPodRoutes, routes),
          unit_file(node.name, layout::kLabImagesUnit, images),
          unit_file(node.name, layout::kLabPodRoutesUnit, pod_routes)};
}

std::vector<LeftOut> lab_left_out(const model::Cluster& cluster, const RenderOptions& options) {
  if (!lab_with_real_pods(options)) return {};
  std::vector<LeftOut> left_out;
  if (cluster.network.cni == model::Cni::kCalico)
    left_out.push_back({"Calico",
                        {"20-calico.yaml"},
                        {},
                        "its images cannot be built here and this machine's kernel has no IPIP; "
                        "the lab's bridge network carries the pods instead, and enforces no "
                        "NetworkPolicy"});
  if (cluster.addons.ingress_replicas > 0)
    left_out.push_back({"the ingress controller",
                        {"30-ingress-nginx.yaml"},
                        {"ingress-nginx"},
                        "its image cannot be built here"});
  if (cluster.storage.provider == model::StorageProvider::kLonghorn)
    left_out.push_back({"Longhorn, its storage classes and volume snapshots",
                        {"40-longhorn.yaml", "44-volume-snapshots.yaml", "45-storage-classes.yaml"},
                        {"longhorn-system"},
                        "its engine needs iSCSI or NVMe-TCP, which this machine's kernel lacks"});
  left_out.push_back(
      {"monitoring", {"50-monitoring.yaml"}, {"monitoring"}, "its images cannot be built here"});
  return left_out;
}

std::string without_namespaces(const std::string& manifest,
                               const std::vector<std::string>& namespaces) {
  std::string kept;
  std::size_t start = 0;
  while (start < manifest.size()) {
    std::size_t end = manifest.find("---\n", start);
    end = end == std::string::npos ? manifest.size() : end + 4;
    std::string document = manifest.substr(start, end - start);
    start = end;
    bool in_left_out = std::any_of(namespaces.begin(), namespaces.end(), [&](const auto& name) {
      for (const char* after : {"\n", ",", "}"})
        if (document.find("namespace: " + name + after) != std::string::npos) return true;
      return false;
    });
    if (!in_left_out) kept += document;
  }
  return kept;
}

}  // namespace zerospof::render
