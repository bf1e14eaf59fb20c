#include "model/cluster.h"

#include <algorithm>

#include "model/enum_names.h"

namespace zerospof::model {

// The tables' names are literals, so their data() is a terminated C string.
const char* to_string(Role role) { return name_in(kRoleNames, role).data(); }
const char* to_string(EndpointMode mode) { return name_in(kEndpointModeNames, mode).data(); }
const char* to_string(Cni cni) { return name_in(kCniNames, cni).data(); }
const char* to_string(BgpPeering peering) { return name_in(kBgpPeeringNames, peering).data(); }
const char* to_string(StorageProvider provider) {
  return name_in(kStorageProviderNames, provider).data();
}
const char* to_string(ServiceMesh mesh) { return name_in(kServiceMeshNames, mesh).data(); }

bool Node::has_role(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const Node* Cluster::find_node(std::string_view wanted) const {
  for (const Node& node : nodes)
    if (node.name == wanted) return &node;
  return nullptr;
}

std::vector<const Node*> Cluster::nodes_with_role(Role role) const {
  std::vector<const Node*> found;
  for (const Node& node : nodes)
    if (node.has_role(role)) found.push_back(&node);
  return found;
}

util::SourceLocation Cluster::location_of(const std::string& path) const {
  auto it = locations.find(path);
  if (it != locations.end()) return it->second;
  return util::SourceLocation{source_file, 0, 0};
}

std::string Node::cluster_address() const { return address ? address->base.to_string() : host; }

}  // namespace zerospof::model
