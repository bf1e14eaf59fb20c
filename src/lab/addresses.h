// Lab addresses: every address the lab uses comes from one subnet inside 198.18.0.0/15 (RFC 2544,
// the benchmarking range), so no lab packet can reach a real network. Allocation refuses any
// subnet or address outside that range. Pure functions.
#pragma once

#include <cstddef>
#include <vector>

#include "model/address.h"
#include "util/error.h"

namespace zerospof::lab {

// 198.18.0.0/15, the only range the lab ever uses.
model::Cidr lab_range();
// The lab's default subnet: 198.18.0.0/24.
model::Cidr default_subnet();

// The lab's pods and Services get addresses inside 198.18.0.0/15 too, from the /16 of the range
// that does not hold the lab's subnet (the user's plan may name any private range, and pod
// traffic crosses the lab bridge): pods the first half of it, Services the second.
struct ClusterSubnets {
  model::Cidr pods;
  model::Cidr services;
};
ClusterSubnets cluster_subnets(const model::Cidr& lab_subnet);

struct LabAddresses {
  model::Cidr subnet;
  model::IpAddress operator_address;    // this machine's address on the lab bridge: subnet + 1
  model::IpAddress vip;                 // the API virtual IP for vip mode: subnet + 2
  std::vector<model::IpAddress> hosts;  // host i: subnet + 10 + i
};

// Fails (kInvalidInput) when `address` is not an IPv4 address inside 198.18.0.0/15.
util::Status require_lab_address(const model::IpAddress& address);

// Fails when `subnet` is not inside 198.18.0.0/15, larger than a /16 (cluster_subnets needs the
// other) or too small for `host_count` hosts.
util::Result<LabAddresses> allocate_addresses(const model::Cidr& subnet, std::size_t host_count);

// `base` + `offset` (IPv4).
model::IpAddress offset_address(const model::IpAddress& base, std::uint32_t offset);

}  // namespace zerospof::lab
