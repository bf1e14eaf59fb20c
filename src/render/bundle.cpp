// Assembles the bundle: checks that the plan can be rendered, issues the PKI, asks each part
// for its files, merges identical files that several parts need (the cluster CA), sorts, and
// states the failover budget. write_bundle() (bundle_writer.cpp) puts a bundle on disk.
#include <fmt/format.h>

#include <algorithm>

#include "plan/plan_strings.h"
#include "render/context.h"
#include "render/failover_budget.h"
#include "render/kubeconfig.h"
#include "render/layout.h"
#include "render/manifests.h"

namespace zerospof::render {

namespace {

util::Status check_renderable(const model::Cluster& cluster, const RenderOptions& options) {
  // The interface goes into keepalived.conf and its `ip ... dev` lines: a newline in it would
  // add configuration blocks.
  if (auto problem = plan::check_place(options.interface, plan::Place::kInterfaceName))
    return util::fail(util::Error::invalid_input(fmt::format("--interface: {}", problem->message),
                                                 {}, problem->hint));
  for (size_t i = 0; i < cluster.nodes.size(); ++i)
    if (!cluster.nodes[i].address)
      return util::fail(util::Error::invalid_input(
          fmt::format("node {} has no address; render needs every node's cluster address",
                      cluster.nodes[i].name),
          cluster.location_of(fmt::format("spec.nodes[{}]", i)),
          "add `address: <ip>/<prefix>` to the node (etcd URLs, certificates and the firewall "
          "name it)"));
  if (lab_with_real_pods(options)) return check_lab_pod_subnet(cluster);
  return {};
}

std::vector<File> operator_files(const Context& context) {
  const model::Cluster& cluster = context.cluster;
  std::string server =
      cluster.endpoint.mode == model::EndpointMode::kVip
          ? endpoint_url(cluster)
          // No local proxy on the operator's machine: the first apiserver.
          : fmt::format("https://{}:{}",
                        model::url_host(
                            address_of(*cluster.nodes_with_role(model::Role::kControlPlane)[0])),
                        apiserver_port(cluster));
  return {secret_file("", std::string(layout::kKubeconfigDir) + "/admin.conf",
                      kubeconfig_text(cluster.name, server, context.certs.ca.cert_pem,
                                      context.certs.admin, "zerospof-admin"))};
}

// Several parts may need one file (every part that verifies the API needs the cluster CA): the
// same content is kept once; different content at one path is a bug in render.
util::Result<std::vector<File>> merge(std::vector<File> files) {
  std::stable_sort(files.begin(), files.end(), [](const File& a, const File& b) {
    return std::tie(a.host, a.path) < std::tie(b.host, b.path);
  });
  std::vector<File> merged;
  for (File& file : files) {
    if (!merged.empty() && merged.back().host == file.host && merged.back().path == file.path) {
      if (merged.back().content != file.content || merged.back().mode != file.mode)
        return util::fail(util::Error::internal(
            fmt::format("render made two different files {} on {}", file.path, file.host)));
      continue;
    }
    merged.push_back(std::move(file));
  }
  return merged;
}

}  // namespace

int apiserver_port(const model::Cluster& cluster) {
  return cluster.endpoint.port == layout::kApiserverPort ? layout::kApiserverPort + 1
                                                         : layout::kApiserverPort;
}

util::Result<Bundle> render(const model::Cluster& cluster, const RenderOptions& options) {
  ZEROSPOF_RETURN_IF_ERROR(check_renderable(cluster, options));
  ZEROSPOF_ASSIGN_OR_RETURN(Pki pki, Pki::open(options.pki_dir));
  ZEROSPOF_ASSIGN_OR_RETURN(Certificates certs, issue_certificates(cluster, pki, options.lab));
  Context context{cluster, certs, options};
  std::vector<File> files = operator_files(context);
  for (const model::Node& node : cluster.nodes)
    for (auto part : {etcd_files, control_plane_files, haproxy_files, keepalived_files,
                      node_agent_files, container_runtime_files, kube_proxy_files,
                      node_kernel_files, nftables_files, lab_data_plane_files})
      for (File& file : part(context, node)) files.push_back(std::move(file));
  ZEROSPOF_ASSIGN_OR_RETURN(std::vector<File> manifests, render_manifests(cluster, options));
  for (File& file : manifests) files.push_back(std::move(file));
  Bundle bundle;
  ZEROSPOF_ASSIGN_OR_RETURN(bundle.files, merge(std::move(files)));
  bundle.index = index_of(bundle.files);
  bundle.expected_failover = describe(failover_budget(cluster), cluster.tuning);
  return bundle;
}

}  // namespace zerospof::render
