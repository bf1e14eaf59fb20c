// IPv4/IPv6 addresses and CIDR prefixes as plain values, with the few operations a plan needs:
// parse, print, "is this address inside that prefix", "do these two prefixes overlap".
// Parsing never throws and never accepts partial input ("10.0.0.1x" is an error).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zerospof::model {

struct IpAddress {
  int family = 4;                        // 4 or 6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4

  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;
  int bit_count() const { return family == 4 ? 32 : 128; }
  bool operator==(const IpAddress&) const = default;
  auto operator<=>(const IpAddress&) const = default;
};

struct Cidr {
  IpAddress base;  // as written; `network()` masks off the host bits
  int prefix_length = 0;

  // "198.18.0.0/15". With `allow_host_bits`, "198.18.7.11/24" is accepted as an interface
  // address; without, host bits set below the prefix are an error (as in a subnet field).
  static std::optional<Cidr> parse(std::string_view text, bool allow_host_bits = false);
  std::string to_string() const;
  IpAddress network() const;
  bool contains(const IpAddress& address) const;
  bool overlaps(const Cidr& other) const;
  bool operator==(const Cidr&) const = default;
};

// An address (or a host name) as the host part of a URL or of HOST:PORT: an IPv6 address in
// brackets ("[fd00::1]"), anything else as it is. Render and apply both build etcd and API
// URLs with it, so they cannot disagree on how an IPv6 member is written.
std::string url_host(std::string_view address);

}  // namespace zerospof::model
