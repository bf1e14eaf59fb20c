#include "transport/plan_hosts.h"

namespace zerospof::transport {

std::map<std::string, SshTarget> ssh_targets(const model::Cluster& cluster) {
  std::map<std::string, SshTarget> targets;
  for (const auto& node : cluster.nodes) {
    targets[node.name] = {.address = node.host.empty() ? node.name : node.host,
                          .user = node.ssh.user,
                          .port = node.ssh.port,
                          .identity_file = node.ssh.identity_file};
  }
  return targets;
}

}  // namespace zerospof::transport
