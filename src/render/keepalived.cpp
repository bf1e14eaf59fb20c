// keepalived holds the API's virtual IP on one control-plane node at a time (vip mode).
// Every instance starts BACKUP with the same priority and `nopreempt`: the VIP moves only when
// its holder fails, never back when a node returns, so a flapping node cannot bounce the API.
// Each node tracks its OWN HAProxy and apiserver (on 127.0.0.1, never through the VIP, which
// would test whichever node holds it): when they fail, the node goes to FAULT and releases the
// VIP. Adverts are unicast to the other holders, so no multicast is needed on the segment.
#include <fmt/format.h>

#include "render/context.h"
#include "render/layout.h"

namespace zerospof::render {

namespace {

const std::string kCheckScript = "/etc/keepalived/check-apiserver.sh";

std::string seconds(std::int64_t ms) { return fmt::format("{}", static_cast<double>(ms) / 1000); }

// Asks this node's HAProxy (its stats page, plain HTTP on loopback) whether it considers this
// node's own apiserver UP: HAProxy answering proves HAProxy alive, and its TLS-verified /readyz
// check is the apiserver's readiness, debounced (fall 3). Only bash, coreutils and awk, which
// every Debian host has: no curl.
std::string check_script(const model::Node& node) {
  return fmt::format(
      R"(#!/bin/bash
# Rendered by zerospof render: is THIS node fit to hold the VIP? Never checks through the VIP.
set -euo pipefail
status=$(timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/{stats} &&
  printf "GET /stats;csv HTTP/1.0\r\n\r\n" >&3 && cat <&3' |
  awk -F, '$1 == "kube-apiservers" && $2 == "{name}" {{ print $18 }}')
[[ "$status" == UP* ]]
)",
      fmt::arg("stats", layout::kHaproxyStatsPort), fmt::arg("name", node.name));
}

// 1-255, from the VIP's last byte: two clusters on one segment with different VIPs get
// different ids unless their VIPs end alike (then set them apart by hand).
int virtual_router_id(const model::IpAddress& vip) {
  return 1 + vip.bytes[static_cast<size_t>(vip.bit_count() / 8 - 1)] % 255;
}

std::string unicast_peers(const model::Cluster& cluster, const model::Node& self) {
  std::string out;
  for (const model::Node& node : cluster.nodes)
    if (&node != &self && holds_vip(cluster, node))
      out += fmt::format("    {}\n", address_of(node));
  return out;
}

std::string keepalived_config(const Context& context, const model::Node& node) {
  const model::Cluster& cluster = context.cluster;
  const model::Tuning& tuning = cluster.tuning;
  // The check runs at the advert rate; fall 3 matches HAProxy's three failed checks.
  std::int64_t check_ms = std::max<std::int64_t>(1000, tuning.vrrp_advert_interval_ms);
  return fmt::format(
      R"(# Rendered by zerospof render: the API VIP {vip}, on the control-plane nodes of its subnet.
global_defs {{
  router_id {name}
  script_user root
  enable_script_security
  # VRRPv3 carries sub-second advert intervals.
  vrrp_version 3
}}

vrrp_script check_local_api {{
  script "{script}"
  interval {check}
  timeout 3
  fall 2
  rise 2
}}

vrrp_instance kube_api {{
  state BACKUP
  nopreempt
  interface {interface}
  virtual_router_id {router_id}
  priority 100
  advert_int {advert}
  unicast_src_ip {self}
  unicast_peer {{
{peers}  }}
  virtual_ipaddress {{
    {vip}/{prefix} dev {interface}
  }}
  track_script {{
    check_local_api
  }}
}}
)",
      fmt::arg("vip", cluster.endpoint.address->to_string()), fmt::arg("name", node.name),
      fmt::arg("script", kCheckScript), fmt::arg("check", seconds(check_ms)),
      fmt::arg("interface", context.options.interface),
      fmt::arg("router_id", virtual_router_id(*cluster.endpoint.address)),
      fmt::arg("advert", seconds(tuning.vrrp_advert_interval_ms)),
      fmt::arg("self", address_of(node)), fmt::arg("peers", unicast_peers(cluster, node)),
      fmt::arg("prefix", node.address->prefix_length));
}

}  // namespace

bool holds_vip(const model::Cluster& cluster, const model::Node& node) {
  return cluster.endpoint.mode == model::EndpointMode::kVip && cluster.endpoint.address &&
         node.has_role(model::Role::kControlPlane) && node.address &&
         node.address->contains(*cluster.endpoint.address);
}

std::vector<File> keepalived_files(const Context& context, const model::Node& node) {
  if (!holds_vip(context.cluster, node)) return {};
  return {public_file(node.name, layout::kKeepalivedConfig, keepalived_config(context, node)),
          public_file(node.name, kCheckScript, check_script(node), 0755)};
}

}  // namespace zerospof::render
