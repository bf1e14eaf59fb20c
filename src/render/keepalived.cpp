// keepalived holds the API's virtual IP on one control-plane node at a time (vip mode).
// Every instance starts BACKUP with `nopreempt`: the VIP moves only when its holder fails, never
// back when a node returns, so a flapping node cannot bounce the API. Priorities differ (150 down
// to 50, in plan order; vip_priority): with equal priorities every backup's timer fires at once
// when the holder fails, two of them claim the VIP with gratuitous ARP, the lower address yields,
// and a client whose ARP cache kept the loser's MAC loses the API until its entry goes stale
// (found by the drill: 5.8 s of failed writes when HAProxy stopped on the holder). Apart by
// 50, the backups' skews differ by 40 ms at a 200 ms advert: one claims the VIP, the others hear
// it. Each node judges itself through its OWN HAProxy (127.0.0.1, never through the VIP, which
// would test whichever node holds it). Adverts are unicast to the other holders, so no
// multicast is needed on the segment.
//
// What "fit to hold the VIP" means is the difference between the two tuning profiles:
// - fast (zerospof's): HAProxy answers and routes to at least ONE ready apiserver (its backend
//   is UP). A dead local apiserver alone keeps the VIP where it is, since HAProxy already routes
//   around it; moving the VIP for it would cut every client's connection for nothing (measured:
//   6 s of failed writes). keepalived's script interval counts whole seconds, so a small
//   service (zerospof-vip-fitness) checks every lbCheckInterval and writes the verdict to a file
//   keepalived tracks through inotify: a dead HAProxy releases the VIP within two checks, a
//   frozen one (the kernel accepts the connection, nothing answers) within two stats timeouts
//   (fitness_stats_timeout).
// - kubeadm-guide: the guide's check of the node's OWN apiserver every 3 s, fall 10, which
//   moves the VIP when only the local apiserver fails, kept to measure against.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "render/context.h"
#include "render/haproxy_stats.h"
#include "render/layout.h"
#include "render/unit.h"

namespace zerospof::render {

namespace {

const std::string kCheckScript = "/etc/keepalived/check-apiserver.sh";
const std::string kFitnessScript = "/etc/keepalived/vip-fitness.sh";
// Directly in /run, which exists before any service starts: keepalived gives up tracking a file
// whose directory is missing when it starts (found by the drill: after a reboot, keepalived
// started before the fitness service made its directory, and a stopped HAProxy kept the VIP).
const std::string kFitnessFile = "/run/zerospof-vip-fitness";

std::string seconds(std::int64_t ms) { return fmt::format("{}", static_cast<double>(ms) / 1000); }

}  // namespace

// Plain HTTP on loopback, within `timeout`. Only bash and coreutils, which every Debian host has:
// no curl.
std::string haproxy_stats_csv_command(std::chrono::milliseconds timeout) {
  return fmt::format(
      R"(timeout {} bash -c 'exec 3<>/dev/tcp/127.0.0.1/{} &&
    printf "GET /stats;csv HTTP/1.0\r\n\r\n" >&3 && cat <&3')",
      seconds(timeout.count()), layout::kHaproxyStatsPort);
}

std::chrono::milliseconds fitness_stats_timeout(const model::Tuning& tuning) {
  return std::clamp(std::chrono::milliseconds(2 * tuning.lb_check_interval_ms),
                    std::chrono::milliseconds(300), std::chrono::milliseconds(1000));
}

namespace {

// kubeadm-guide: is THIS node's own apiserver UP in its HAProxy's view?
std::string check_script(const model::Node& node) {
  return fmt::format(
      R"(#!/bin/bash
# Rendered by zerospof render (tuning profile kubeadm-guide): is THIS node's own apiserver up?
# Never checks through the VIP.
set -euo pipefail
status=$({csv} |
  awk -F, '$1 == "kube-apiservers" && $2 == "{row}" {{ print $18 }}')
[[ "$status" == UP* ]]
)",
      fmt::arg("csv", haproxy_stats_csv_command()), fmt::arg("row", node.name));
}

// fast: a loop that writes 0 (fit) or 1 (unfit) to the tracked file, changing it only after two
// checks agree, so one slow answer does not move the VIP. Fit: HAProxy answers, and reaches a
// majority of the apiserver hosts (a check that timed out at the TCP level, L4TOUT, is a host it
// cannot reach; also while the next check runs, when HAProxy shows it as "* L4TOUT": with 0.2 s
// checks a host that times out is nearly always mid-check, and read as reachable it kept an
// isolated holder fit, and the VIP on it, for a whole drill fault). The majority rule is what takes
// the VIP away from a holder cut off in a minority partition, whose own apiserver may still look
// ready; a dead apiserver process (refused, L4CON) still counts as reachable, so two dead
// apiservers on live hosts do not take the VIP off every node. Whether the apiservers pass their
// checks is not asked: that is the same from every node (they are the same apiservers), so moving
// the VIP for it cuts every client's connection and gains nothing. It once did, and a saturated
// host whose checks all failed their 0.2 s deadline put every node in FAULT and the VIP nowhere;
// HAProxy now routes to all of them then (fail open). Each change is written to the journal with
// its reason.
std::string fitness_script(const model::Tuning& tuning, const model::IpAddress& vip) {
  return fmt::format(
      R"sh(#!/bin/bash
# Rendered by zerospof render (tuning profile fast): does THIS node's HAProxy answer, and does
# it reach a majority of the apiserver hosts? Writes 0 (fit) or 1 (unfit) to {file} for
# keepalived's track_file, and each change with its reason to the journal. Never checks through
# the VIP.
set -uo pipefail
written="" previous=""
while true; do
  verdict=$({csv} |
    awk -F, '
      /^# / {{ for (i = 1; i <= NF; i++) {{ sub(/^# /, "", $i); column[$i] = i }}; next }}
      $1 == "kube-apiservers" && $2 != "BACKEND" && $2 != "FRONTEND" {{
        total++
        if ($column["status"] ~ /^UP/) up++
        if ($column["check_status"] !~ /L4TOUT/) reachable++
      }}
      END {{
        if (total == 0) exit
        printf "%s: HAProxy reaches %d of %d apiserver hosts, %d pass their checks\n",
          (reachable * 2 > total) ? "fit" : "unfit", reachable, total, up
      }}' || true)
  [[ -n "$verdict" ]] || verdict="unfit: HAProxy's stats page did not answer"
  if [[ "$verdict" == fit:* ]]; then now=0; else now=1; fi
  # A backup goes unfit at once: cut off from the majority, it must go FAULT before keepalived's
  # master-down timer (about three adverts) lets it claim the VIP on its side of a partition.
  # The holder only once two checks agree, so one slow check under load does not move the VIP
  # (and cut every client's connection); fit only once two checks agree, everywhere.
  holder=0
  ip -o addr show to {vip} 2>/dev/null | grep -q . && holder=1
  if [[ "$now" != "$written" && ( "$now" == "$previous" || ( "$now" == 1 && "$holder" == 0 ) ) ]]; then
    echo "$now" > {file}
    written=$now
    echo "$verdict"
  fi
  previous=$now
  sleep {interval}
done
)sh",
      fmt::arg("file", kFitnessFile),
      fmt::arg("csv", haproxy_stats_csv_command(fitness_stats_timeout(tuning))),
      fmt::arg("interval", seconds(tuning.lb_check_interval_ms)), fmt::arg("vip", vip.to_string()));
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
  bool guide = tuning.profile == model::TuningProfile::kKubeadmGuide;
  // The guide's check: every 3 s, ten failures before the VIP moves. zerospof's: a file the
  // fitness service rewrites at the HAProxy check rate, read by keepalived as it changes; a
  // node starts unfit until the service has seen HAProxy route.
  std::string tracker =
      guide ? fmt::format(
                  "vrrp_script check_local_api {{\n  script \"{}\"\n  interval 3\n  timeout 3\n"
                  "  fall 10\n  rise 2\n}}\n",
                  kCheckScript)
            : fmt::format(
                  "track_file check_local_api {{\n  file \"{}\"\n  weight 0\n"
                  "  init_file 1\n}}\n",
                  kFitnessFile);
  std::string track = guide ? "track_script" : "track_file";
  // The holder repeats its gratuitous ARP every second (fast only; the guide's setup is kept as
  // the guide writes it): when a partition lets a cut-off backup claim the VIP for a moment,
  // clients that followed its ARP come back within a second of it giving up, instead of when
  // their ARP entry goes stale (found by the drill's splits: the API lost for the whole fault).
  std::string refresh = guide ? "" : "  garp_master_refresh 1\n  garp_master_refresh_repeat 1\n";
  // fast only: the VRRP process runs under real-time scheduling, so that its adverts every 0.2 s
  // keep their pace on a saturated host (three missed adverts and a backup claims the VIP: a
  // false failover that cuts every client's connection). keepalived's own guard stays: a VRRP
  // process that runs 10 ms without blocking is stopped by the kernel (vrrp_rlimit_rttime).
  std::string realtime = guide ? "" : "  vrrp_rt_priority 50\n";
  return fmt::format(
      R"(# Rendered by zerospof render: the API VIP {vip}, on the control-plane nodes of its subnet.
global_defs {{
  router_id {name}
  script_user root
  enable_script_security
  # VRRPv3 carries sub-second advert intervals.
  vrrp_version 3
{realtime}}}

{tracker}
vrrp_instance kube_api {{
  state BACKUP
  nopreempt
  interface {interface}
  virtual_router_id {router_id}
  priority {priority}
  advert_int {advert}
{refresh}  unicast_src_ip {self}
  unicast_peer {{
{peers}  }}
  virtual_ipaddress {{
    {vip}/{prefix} dev {interface}
  }}
  {track} {{
    check_local_api
  }}
}}
)",
      fmt::arg("vip", cluster.endpoint.address->to_string()), fmt::arg("name", node.name),
      fmt::arg("tracker", tracker), fmt::arg("realtime", realtime), fmt::arg("track", track),
      fmt::arg("refresh", refresh), fmt::arg("priority", vip_priority(cluster, node)),
      fmt::arg("interface", context.options.interface),
      fmt::arg("router_id", virtual_router_id(*cluster.endpoint.address)),
      fmt::arg("advert", seconds(tuning.vrrp_advert_interval_ms)),
      fmt::arg("self", address_of(node)), fmt::arg("peers", unicast_peers(cluster, node)),
      fmt::arg("prefix", node.address->prefix_length));
}

}  // namespace

int vip_priority(const model::Cluster& cluster, const model::Node& node) {
  std::vector<const model::Node*> holders;
  for (const model::Node& each : cluster.nodes)
    if (holds_vip(cluster, each)) holders.push_back(&each);
  auto found = std::find(holders.begin(), holders.end(), &node);
  if (holders.size() < 2 || found == holders.end()) return 100;
  auto index = static_cast<int>(found - holders.begin());
  return 150 - index * 100 / static_cast<int>(holders.size() - 1);
}

// A killed keepalived leaves the VIP on this node's interface while a backup takes it over:
// two holders, until keepalived starts again, enters BACKUP and removes the address. Debian's
// unit never starts it again (the drill's keepalived-killed scenario found both holding it).
constexpr const char* kKeepalivedRestarts =
    "# Rendered by zerospof render: keepalived started again when it dies, so that a killed\n"
    "# keepalived does not leave this node holding the VIP beside the node that took it over.\n"
    "[Service]\n"
    "Restart=always\n"
    "RestartSec=1\n";

bool holds_vip(const model::Cluster& cluster, const model::Node& node) {
  return cluster.endpoint.mode == model::EndpointMode::kVip && cluster.endpoint.address &&
         node.has_role(model::Role::kControlPlane) && node.address &&
         node.address->contains(*cluster.endpoint.address);
}

std::vector<File> keepalived_files(const Context& context, const model::Node& node) {
  if (!holds_vip(context.cluster, node)) return {};
  std::vector<File> files{
      public_file(node.name, layout::kKeepalivedConfig, keepalived_config(context, node)),
      public_file(node.name, layout::kKeepalivedDropIn, kKeepalivedRestarts)};
  if (context.cluster.tuning.profile == model::TuningProfile::kKubeadmGuide) {
    files.push_back(public_file(node.name, kCheckScript, check_script(node), 0755));
    return files;
  }
  files.push_back(
      public_file(node.name, kFitnessScript,
                  fitness_script(context.cluster.tuning, *context.cluster.endpoint.address), 0755));
  files.push_back(unit_file(node.name, layout::kVipFitnessUnit,
                            {.description = "zerospof: is this node fit to hold the API VIP (for "
                                            "keepalived)",
                             .command = {"/bin/bash", kFitnessScript},
                             .after = {std::string(layout::kHaproxyUnit)}}));
  return files;
}

}  // namespace zerospof::render
