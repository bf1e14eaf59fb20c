#include "lab/netns.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "util/process.h"

namespace zerospof::lab {
namespace {

constexpr const char* kPrefix = "zerospof-lab";
constexpr const char* kBridge = "br0";
constexpr const char* kOperatorPeer = "operator";

util::Status ip(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "ip");
  util::RunOptions options;
  options.timeout = std::chrono::seconds(10);
  ZEROSPOF_ASSIGN_OR_RETURN(auto output, util::run_checked(arguments, options));
  (void)output;
  return {};
}

bool namespace_exists(const std::string& name) {
  return std::filesystem::exists("/run/netns/" + name);
}

util::Status ensure_namespace(const std::string& name) {
  if (namespace_exists(name)) return {};
  ZEROSPOF_RETURN_IF_ERROR(ip({"netns", "add", name}));
  return ip({"-n", name, "link", "set", "lo", "up"});
}

// `ip [-n NS] link show dev LINK` succeeds: the link exists there.
bool link_exists(const std::string& name_space, const std::string& link) {
  std::vector<std::string> arguments{"ip"};
  if (!name_space.empty()) arguments.insert(arguments.end(), {"-n", name_space});
  arguments.insert(arguments.end(), {"link", "show", "dev", link});
  auto result = util::run(arguments, {.timeout = std::chrono::seconds(10), .input = {}});
  return result && result->succeeded();
}

std::string with_prefix(const model::IpAddress& address, const model::Cidr& subnet) {
  return fmt::format("{}/{}", address.to_string(), subnet.prefix_length);
}

util::Status connect_operator(const LabState& state) {
  const std::string bridge = bridge_namespace();
  if (!link_exists("", operator_link())) {
    ZEROSPOF_RETURN_IF_ERROR(ip({"link", "add", operator_link(), "type", "veth", "peer", "name",
                                 kOperatorPeer, "netns", bridge}));
  }
  ZEROSPOF_RETURN_IF_ERROR(ip({"-n", bridge, "link", "set", kOperatorPeer, "master", kBridge}));
  ZEROSPOF_RETURN_IF_ERROR(ip({"-n", bridge, "link", "set", kOperatorPeer, "up"}));
  ZEROSPOF_RETURN_IF_ERROR(ip({"addr", "replace", with_prefix(state.operator_address, state.subnet),
                               "dev", operator_link()}));
  return ip({"link", "set", operator_link(), "up"});
}

}  // namespace

std::string bridge_namespace() { return fmt::format("{}-bridge", kPrefix); }
std::string host_namespace(const std::string& host) { return fmt::format("{}-{}", kPrefix, host); }
std::string host_port(int index) { return fmt::format("host{}", index); }
std::string operator_link() { return kPrefix; }

util::Status create_bridge(const LabState& state) {
  ZEROSPOF_RETURN_IF_ERROR(require_lab_address(state.operator_address));
  const std::string bridge = bridge_namespace();
  ZEROSPOF_RETURN_IF_ERROR(ensure_namespace(bridge));
  if (!link_exists(bridge, kBridge)) {
    ZEROSPOF_RETURN_IF_ERROR(ip({"-n", bridge, "link", "add", kBridge, "type", "bridge"}));
  }
  ZEROSPOF_RETURN_IF_ERROR(ip({"-n", bridge, "link", "set", kBridge, "up"}));
  return connect_operator(state);
}

util::Status connect_host(const LabState& state, const HostRecord& host) {
  ZEROSPOF_RETURN_IF_ERROR(require_lab_address(host.address));
  const std::string bridge = bridge_namespace();
  const std::string name_space = host_namespace(host.name);
  ZEROSPOF_RETURN_IF_ERROR(ensure_namespace(name_space));
  const std::string port = host_port(host.index);
  if (!link_exists(bridge, port)) {
    ZEROSPOF_RETURN_IF_ERROR(ip({"-n", bridge, "link", "add", port, "type", "veth", "peer", "name",
                                 "eth0", "netns", name_space}));
  }
  ZEROSPOF_RETURN_IF_ERROR(ip({"-n", bridge, "link", "set", port, "master", kBridge}));
  ZEROSPOF_RETURN_IF_ERROR(ip({"-n", bridge, "link", "set", port, "up"}));
  ZEROSPOF_RETURN_IF_ERROR(ip({"-n", name_space, "addr", "replace",
                               with_prefix(host.address, state.subnet), "dev", "eth0"}));
  return ip({"-n", name_space, "link", "set", "eth0", "up"});
}

util::Status set_host_link(const HostRecord& host, bool up) {
  return ip({"-n", bridge_namespace(), "link", "set", host_port(host.index), up ? "up" : "down"});
}

util::Status destroy_network() {
  for (const auto& leftover : network_leftovers()) {
    if (leftover != operator_link()) ZEROSPOF_RETURN_IF_ERROR(ip({"netns", "del", leftover}));
  }
  // Deleting the bridge namespace takes the operator veth's peer, and so the veth, along, but
  // the kernel tears a namespace down asynchronously: the veth may vanish between the check
  // and the delete. Bounded: about 5 s.
  util::Status deleted;
  for (int attempt = 0; attempt < 50 && link_exists("", operator_link()); ++attempt) {
    deleted = ip({"link", "del", operator_link()});
    if (deleted) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (link_exists("", operator_link())) return deleted;
  return {};
}

std::vector<std::string> network_leftovers() {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", error)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(std::string(kPrefix) + "-", 0) == 0) found.push_back(name);
  }
  if (link_exists("", operator_link())) found.push_back(operator_link());
  return found;
}

}  // namespace zerospof::lab
