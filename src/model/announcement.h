// The nodes that make LoadBalancer addresses and pod routes reachable from outside the cluster,
// as MetalLB and Calico manifests choose them; plain data read by plan's manifest loader and
// judged by check's announcement rule.
#pragma once

#include <string>
#include <vector>

#include "model/selectors.h"
#include "util/error.h"

namespace zerospof::model {

// Who makes LoadBalancer addresses reachable from outside: a MetalLB L2Advertisement or
// BGPAdvertisement (the nodes that may announce its pools' addresses), a MetalLB or Calico
// BGPPeer (the nodes that hold a BGP session with the router). A node may take part when it
// matches any of `node_selectors` (none: every node), or is `node` when that is given.
struct Announcement {
  enum class Kind { kL2Advertisement, kBgpAdvertisement, kMetallbBgpPeer, kCalicoBgpPeer };
  Kind kind = Kind::kL2Advertisement;
  std::string namespace_name = "default";
  std::string name;
  std::vector<LabelSelector> node_selectors;
  std::string node;                  // Calico: spec.node, the one node that peers
  bool selector_expression = false;  // Calico: spec.nodeSelector, an expression not read here
  std::vector<std::string> pools;    // spec.ipAddressPools (none: every pool)
  std::string peer_address;          // BGPPeer: spec.peerAddress
  util::SourceLocation where;
};

}  // namespace zerospof::model
