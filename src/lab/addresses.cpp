#include "lab/addresses.h"

#include <fmt/format.h>

namespace zerospof::lab {
namespace {

constexpr std::uint32_t kFirstHostOffset = 10;

std::uint32_t to_number(const model::IpAddress& address) {
  return (std::uint32_t{address.bytes[0]} << 24) | (std::uint32_t{address.bytes[1]} << 16) |
         (std::uint32_t{address.bytes[2]} << 8) | std::uint32_t{address.bytes[3]};
}

}  // namespace

model::Cidr lab_range() { return *model::Cidr::parse("198.18.0.0/15"); }
model::Cidr default_subnet() { return *model::Cidr::parse("198.18.0.0/24"); }

model::IpAddress offset_address(const model::IpAddress& base, std::uint32_t offset) {
  std::uint32_t number = to_number(base) + offset;
  model::IpAddress result;
  for (int i = 0; i < 4; ++i) result.bytes[i] = static_cast<std::uint8_t>(number >> (24 - 8 * i));
  return result;
}

ClusterSubnets cluster_subnets(const model::Cidr& lab_subnet) {
  // 198.18.0.0/16 or 198.19.0.0/16, whichever the lab's subnet is not in.
  model::IpAddress other =
      *model::IpAddress::parse(lab_subnet.network().bytes[1] == 18 ? "198.19.0.0" : "198.18.0.0");
  return {.pods = {other, 17}, .services = {offset_address(other, 1u << 15), 17}};
}

util::Status require_lab_address(const model::IpAddress& address) {
  if (address.family == 4 && lab_range().contains(address)) return {};
  return util::fail(util::Error::invalid_input(
      fmt::format("{} is outside 198.18.0.0/15, the only range the lab uses", address.to_string()),
      {}, "lab addresses come from 198.18.0.0/15 so that no lab traffic reaches a real network"));
}

util::Result<LabAddresses> allocate_addresses(const model::Cidr& subnet, std::size_t host_count) {
  if (subnet.base.family != 4 || subnet.prefix_length < lab_range().prefix_length ||
      !lab_range().contains(subnet.network())) {
    return util::fail(util::Error::invalid_input(
        fmt::format("lab subnet {} is not inside 198.18.0.0/15", subnet.to_string()), {},
        "choose a subnet inside 198.18.0.0/15, e.g. 198.18.0.0/24"));
  }
  if (subnet.prefix_length < 16)
    return util::fail(util::Error::invalid_input(
        fmt::format("lab subnet {} is larger than a /16", subnet.to_string()), {},
        "the lab's pods and Services take the other /16 of 198.18.0.0/15; choose a /16 or "
        "smaller, e.g. 198.18.0.0/24"));
  // The last usable host must stay below the broadcast address.
  std::uint64_t size = std::uint64_t{1} << (32 - subnet.prefix_length);
  if (kFirstHostOffset + host_count + 1 > size) {
    return util::fail(util::Error::invalid_input(
        fmt::format("lab subnet {} is too small for {} hosts", subnet.to_string(), host_count)));
  }
  LabAddresses addresses;
  addresses.subnet = model::Cidr{subnet.network(), subnet.prefix_length};
  addresses.operator_address = offset_address(subnet.network(), 1);
  addresses.vip = offset_address(subnet.network(), 2);
  for (std::size_t i = 0; i < host_count; ++i) {
    addresses.hosts.push_back(
        offset_address(subnet.network(), kFirstHostOffset + static_cast<std::uint32_t>(i)));
  }
  return addresses;
}

}  // namespace zerospof::lab
