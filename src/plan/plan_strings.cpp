#include "plan/plan_strings.h"

#include <fmt/format.h>

#include <algorithm>

namespace zerospof::plan {

namespace {

bool is_lower_alphanumeric(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alphanumeric(char c) { return is_lower_alphanumeric(c) || (c >= 'A' && c <= 'Z'); }

// RFC 1123 subdomain, as Kubernetes checks object names: dot-separated labels of at most 63
// lower-case alphanumerics and '-', each starting and ending alphanumeric.
bool is_dns_subdomain(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '.') {
      if (!is_lower_alphanumeric(text[i]) && text[i] != '-') return false;
      continue;
    }
    size_t length = i - label_start;
    if (length == 0 || length > 63) return false;
    if (text[label_start] == '-' || text[i - 1] == '-') return false;
    label_start = i + 1;
  }
  return true;
}

// A Kubernetes label value: at most 63 alphanumerics, '-', '_' and '.', starting and ending
// alphanumeric. None of them means anything to systemd, YAML (when quoted) or a shell.
bool is_label_value(std::string_view text) {
  if (text.size() > 63) return false;
  if (text.empty()) return true;
  if (!is_alphanumeric(text.front()) || !is_alphanumeric(text.back())) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_alphanumeric(c) || c == '-' || c == '_' || c == '.'; });
}

// The portable user names of POSIX and useradd's default NAME_REGEX.
bool is_user_name(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  if (!(text.front() == '_' || (text.front() >= 'a' && text.front() <= 'z'))) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return is_lower_alphanumeric(c) || c == '_' || c == '-'; });
}

// A path handed to ssh as one argument: any printable character but '%', which ssh expands
// as a token in IdentityFile; no leading '-', which a program could take for an option.
bool is_file_path(std::string_view text) {
  if (text.empty() || text.size() > 4096 || text.front() == '-') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    unsigned char byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte != 0x7f && c != '%';
  });
}

// What the kernel accepts (dev_valid_name: at most 15 bytes, no '/', ':' or white space),
// narrowed to the characters interface names actually use.
bool is_interface_name(std::string_view text) {
  if (text.empty() || text.size() > 15 || text == "." || text == ".." || text.front() == '-')
    return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return is_alphanumeric(c) || c == '-' || c == '_' || c == '.' || c == '@';
  });
}

constexpr const char* kDnsHint =
    "use lower-case letters, digits, '-' and '.', starting and ending alphanumeric";

std::optional<PlaceProblem> too_long(std::string_view what, size_t maximum, std::string why) {
  return PlaceProblem{fmt::format("the {} is longer than {} characters", what, maximum),
                      std::move(why)};
}

}  // namespace

std::optional<PlaceProblem> check_place(std::string_view value, Place place) {
  switch (place) {
    case Place::kClusterName:
      if (!is_dns_subdomain(value)) return PlaceProblem{"invalid cluster name", kDnsHint};
      if (value.size() > kMaximumClusterName)
        return too_long("cluster name", kMaximumClusterName,
                        "the name goes into CA certificate names, which X.509 limits to 64 bytes");
      return std::nullopt;
    case Place::kNodeName:
      if (!is_dns_subdomain(value)) return PlaceProblem{"invalid node name", kDnsHint};
      if (value.size() > kMaximumNodeName)
        return too_long("node name", kMaximumNodeName,
                        "the kubelet's certificate is named system:node:<name>, which X.509 "
                        "limits to 64 bytes");
      if (value == kOperatorDirectory)
        return PlaceProblem{
            fmt::format("a node cannot be named '{}'", kOperatorDirectory),
            "a rendered bundle keeps the operator machine's files under that name: rename it"};
      return std::nullopt;
    case Place::kHost:
      if (is_dns_subdomain(value) || model::IpAddress::parse(value)) return std::nullopt;
      return PlaceProblem{"the host is neither a DNS name nor an IP address",
                          "for example: host: cp1.example.org or host: 198.18.7.11"};
    case Place::kLabelValue:
      if (is_label_value(value)) return std::nullopt;
      return PlaceProblem{"invalid value: it becomes a Kubernetes node label value",
                          "use at most 63 letters, digits, '-', '_' and '.', starting and "
                          "ending alphanumeric"};
    case Place::kUserName:
      if (is_user_name(value)) return std::nullopt;
      return PlaceProblem{"invalid user name",
                          "use at most 32 lower-case letters, digits, '_' and '-', starting "
                          "with a letter or '_'"};
    case Place::kFilePath:
      if (is_file_path(value)) return std::nullopt;
      return PlaceProblem{"invalid file path",
                          "give a path without control characters or '%', not starting with '-'"};
    case Place::kInterfaceName:
      if (is_interface_name(value)) return std::nullopt;
      return PlaceProblem{"invalid network interface name",
                          "use at most 15 letters, digits, '-', '_', '.' and '@', as `ip link` "
                          "lists them"};
  }
  return PlaceProblem{"unknown place", ""};
}

std::vector<PlanString> plan_strings(const model::Cluster& cluster) {
  std::vector<PlanString> strings{{"metadata.name", cluster.name, Place::kClusterName}};
  for (size_t i = 0; i < cluster.nodes.size(); ++i) {
    const model::Node& node = cluster.nodes[i];
    std::string path = fmt::format("spec.nodes[{}]", i);
    strings.push_back({path + ".name", node.name, Place::kNodeName});
    strings.push_back({path + ".host", node.host, Place::kHost});
    strings.push_back({path + ".zone", node.zone, Place::kLabelValue});
    strings.push_back({path + ".powerFeed", node.power_feed, Place::kLabelValue});
    strings.push_back({path + ".ssh.user", node.ssh.user, Place::kUserName});
    if (!node.ssh.identity_file.empty())
      strings.push_back({path + ".ssh.identityFile", node.ssh.identity_file, Place::kFilePath});
  }
  if (cluster.network.bgp)
    for (size_t i = 0; i < cluster.network.bgp->route_reflectors.size(); ++i)
      strings.push_back({fmt::format("spec.network.bgp.routeReflectors[{}]", i),
                         cluster.network.bgp->route_reflectors[i], Place::kNodeName});
  return strings;
}

}  // namespace zerospof::plan
