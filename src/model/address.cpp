#include "model/address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace zerospof::model {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton reads up to a NUL: "1.2.3.4\0anything" must not pass as 1.2.3.4.
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::string copy(text);  // inet_pton needs a terminated string
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) {
    address.family = 4;
    return address;
  }
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
    address.family = 6;
    return address;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

namespace {

IpAddress masked(const IpAddress& address, int prefix_length) {
  IpAddress result = address;
  for (int bit = prefix_length; bit < address.bit_count(); ++bit)
    result.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  return result;
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text, bool allow_host_bits) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  std::string_view length_text = text.substr(slash + 1);
  int length = -1;
  auto [end, error] =
      std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (error != std::errc() || end != length_text.data() + length_text.size() ||
      length_text.empty() || length < 0 || length > address->bit_count())
    return std::nullopt;
  Cidr cidr{*address, length};
  if (!allow_host_bits && cidr.network() != *address) return std::nullopt;
  return cidr;
}

std::string Cidr::to_string() const {
  return base.to_string() + "/" + std::to_string(prefix_length);
}

IpAddress Cidr::network() const { return masked(base, prefix_length); }

bool Cidr::contains(const IpAddress& address) const {
  return address.family == base.family && masked(address, prefix_length) == network();
}

bool Cidr::overlaps(const Cidr& other) const {
  if (other.base.family != base.family) return false;
  int shorter = std::min(prefix_length, other.prefix_length);
  return masked(base, shorter) == masked(other.base, shorter);
}

std::string url_host(std::string_view address) {
  std::string host(address);
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

}  // namespace zerospof::model
