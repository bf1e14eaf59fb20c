#include "status/status.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <future>

#include "render/layout.h"

namespace zerospof::status {

namespace {

namespace layout = render::layout;

Health worst(Health a, Health b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

const observe::HostState* host_of(const Observations& observed, const std::string& node) {
  for (const auto& host : observed.hosts)
    if (host.node == node) return &host;
  return nullptr;
}

const observe::UnitState* unit_of(const observe::HostState* host, const std::string& unit) {
  if (host == nullptr) return nullptr;
  for (const auto& state : host->units)
    if (state.unit == unit) return &state;
  return nullptr;
}

bool running(const observe::HostState* host, const std::string& unit) {
  const auto* state = unit_of(host, unit);
  return state != nullptr && state->active == "active";
}

// healthy when every one is up, degraded while some are, down when none is.
Health by_count(std::size_t up, std::size_t total) {
  return up == total ? Health::kHealthy : up > 0 ? Health::kDegraded : Health::kDown;
}

ComponentStatus assess_etcd(const model::Cluster& cluster, const Observations& observed) {
  ComponentStatus component{.name = "etcd"};
  std::vector<std::string> healthy, away;
  for (const auto& member : observed.etcd.members)
    (member.answered && member.errors.empty() ? healthy : away).push_back(member.node);
  std::size_t members = observed.etcd.members.size();
  if (members == 0) {
    component.detail = "the plan has no etcd member";
    return component;
  }
  std::size_t quorum = members / 2 + 1;
  component.tolerates = static_cast<int>(healthy.size()) - static_cast<int>(quorum);
  component.health = healthy.size() == members  ? Health::kHealthy
                     : healthy.size() >= quorum ? Health::kDegraded
                                                : Health::kDown;
  component.detail = fmt::format("{}/{} members healthy", healthy.size(), members);
  if (!away.empty()) component.detail += fmt::format(" ({} not)", fmt::join(away, ", "));
  component.detail += healthy.size() >= quorum ? ", quorum kept" : ", QUORUM LOST";
  if (!observed.etcd.leader.empty()) {
    std::uint64_t term = 0;
    for (const auto& member : observed.etcd.members)
      if (member.leader) term = member.raft_term;
    component.detail += fmt::format(", leader {} (term {})", observed.etcd.leader, term);
  }
  std::uint64_t largest = 0;
  for (const auto& member : observed.etcd.members)
    largest = std::max(largest, member.database_bytes);
  if (largest > 0)
    component.detail +=
        fmt::format(", largest database {:.1f} MiB", static_cast<double>(largest) / (1 << 20));
  component.detail += fmt::format(", tolerates {}", std::max(component.tolerates, 0));
  // A member the plan has but etcd no longer lists was removed by hand.
  if (!observed.etcd.listed.empty()) {
    for (const auto* node : cluster.nodes_with_role(model::Role::kEtcd)) {
      if (std::find(observed.etcd.listed.begin(), observed.etcd.listed.end(), node->name) ==
          observed.etcd.listed.end()) {
        component.health = worst(component.health, Health::kDegraded);
        component.detail += fmt::format("; {} is not in etcd's member list", node->name);
      }
    }
  }
  for (const auto& alarm : observed.etcd.alarms) {
    component.health = worst(component.health, Health::kDegraded);
    component.detail += "; alarm " + alarm;
  }
  return component;
}

ComponentStatus assess_apiservers(const model::Cluster& cluster, const Observations& observed) {
  auto planned = cluster.nodes_with_role(model::Role::kControlPlane);
  std::size_t ready = observed.ready_apiservers.size();
  ComponentStatus component{.name = "apiservers",
                            .health = by_count(ready, planned.size()),
                            .tolerates = std::max(static_cast<int>(ready) - 1, 0)};
  component.detail = fmt::format("{}/{} ready", ready, planned.size());
  if (ready > 0)
    component.detail += ": " + fmt::format("{}", fmt::join(observed.ready_apiservers, ", "));
  component.detail += fmt::format(", tolerates {}", component.tolerates);
  return component;
}

// The API endpoint: the VIP on exactly one node whose HAProxy routes to ready apiservers, or
// (local-proxy) every node's own HAProxy; and the API answering through it.
ComponentStatus assess_endpoint(const model::Cluster& cluster, const Observations& observed) {
  ComponentStatus component{.name = "endpoint"};
  auto routes = [](const observe::HostState& host) {
    std::size_t up = 0;
    for (const auto& backend : host.backends) up += backend.status.rfind("UP", 0) == 0 ? 1 : 0;
    return up;
  };
  if (cluster.endpoint.mode == model::EndpointMode::kVip) {
    std::vector<std::string> holders;
    for (const auto& host : observed.hosts)
      if (host.holds_vip) holders.push_back(host.node);
    std::string vip = cluster.endpoint.address ? cluster.endpoint.address->to_string() : "";
    bool holders_unknown = false;
    for (const auto* node : cluster.nodes_with_role(model::Role::kControlPlane)) {
      const auto* host = host_of(observed, node->name);
      holders_unknown |= host == nullptr || !host->reachable;
    }
    if (holders.empty() && holders_unknown && observed.api.reachable) {
      // The holder may be the host that did not answer: the API answering through the VIP says
      // someone holds it.
      component.health = Health::kDegraded;
      component.detail = fmt::format(
          "VIP {} answers, its holder unknown (a control-plane host did not answer)", vip);
    } else if (holders.empty()) {
      component.health = Health::kDown;
      component.detail = fmt::format("no node holds the VIP {}", vip);
    } else {
      const auto* holder = host_of(observed, holders.front());
      std::size_t up = holder ? routes(*holder) : 0;
      std::size_t total = holder ? holder->backends.size() : 0;
      component.health = total == 0 ? Health::kDown : by_count(up, total);
      component.detail = fmt::format("VIP {} on {}, its HAProxy routes to {}/{} apiservers", vip,
                                     holders.front(), up, total);
      if (holders.size() > 1) {
        component.health = worst(component.health, Health::kDegraded);
        component.detail += fmt::format("; {} nodes hold it at once (split brain): {}",
                                        holders.size(), fmt::join(holders, ", "));
      }
    }
    std::size_t ready_holders = 0;
    for (const auto& host : observed.hosts)
      ready_holders += running(&host, layout::kKeepalivedUnit) && routes(host) > 0 ? 1 : 0;
    component.tolerates = std::max(static_cast<int>(ready_holders) - 1, 0);
  } else {
    std::size_t routing = 0;
    for (const auto& host : observed.hosts) routing += routes(host) > 0 ? 1 : 0;
    component.health = by_count(routing, cluster.nodes.size());
    component.detail = fmt::format("{}/{} nodes' own HAProxy routes to an apiserver", routing,
                                   cluster.nodes.size());
  }
  if (!observed.api.reachable) {
    component.health = Health::kDown;
    component.detail += "; the API does not answer through it: " + observed.api.error;
  }
  return component;
}

ComponentStatus assess_controller(const model::Cluster& cluster, const Observations& observed,
                                  const std::string& name, const std::string& unit,
                                  const std::vector<LeaseStatus>& leases) {
  std::size_t running_on = 0, planned = 0;
  for (const auto* node : cluster.nodes_with_role(model::Role::kControlPlane)) {
    ++planned;
    running_on += running(host_of(observed, node->name), unit) ? 1 : 0;
  }
  ComponentStatus component{.name = name,
                            .health = by_count(running_on, planned),
                            .tolerates = std::max(static_cast<int>(running_on) - 1, 0)};
  component.detail = fmt::format("running on {}/{}", running_on, planned);
  const LeaseStatus* lease = nullptr;
  for (const auto& each : leases)
    if (each.name == name) lease = &each;
  if (lease == nullptr) {
    component.health =
        worst(component.health, observed.api.reachable ? Health::kDown : Health::kDegraded);
    component.detail += observed.api.reachable ? ", no lease" : ", lease unknown (API down)";
  } else if (lease->stale) {
    component.health = Health::kDown;
    component.detail +=
        fmt::format(", lease held by {} is STALE: renewed {:.1f} s ago (lease {} s)", lease->holder,
                    lease->renewed_seconds_ago.value_or(-1), lease->duration_seconds);
  } else {
    component.detail +=
        fmt::format(", leader {} renewed {:.1f} s ago (lease {} s)", lease->holder,
                    lease->renewed_seconds_ago.value_or(-1), lease->duration_seconds);
  }
  component.detail += fmt::format(", tolerates {}", component.tolerates);
  return component;
}

NodeStatus assess_node(const model::Node& node, const Observations& observed) {
  NodeStatus status{.name = node.name};
  const auto* host = host_of(observed, node.name);
  status.reachable = host != nullptr && host->reachable;
  for (const auto& live : observed.api.nodes)
    if (live.name == node.name) status.kubernetes_ready = live.ready;
  if (!status.reachable) {
    status.problems.push_back("does not answer over ssh" +
                              (host && !host->error.empty() ? ": " + host->error : ""));
  } else {
    status.holds_vip = host->holds_vip;
    for (const auto& unit : host->units) {
      if (!unit.enabled) continue;
      status.units.push_back(unit);
      if (unit.active != "active")
        status.problems.push_back(fmt::format("{} is {}", unit.unit, unit.active));
    }
    // A host that answers over SSH with every unit running may still be cut off from its peers
    // (the drill's isolated host was called healthy so): what the others see of its services
    // counts too.
    for (const auto& member : observed.etcd.members)
      if (member.node == node.name && !member.answered)
        status.problems.push_back("its etcd member does not answer its peers' client");
    if (node.has_role(model::Role::kControlPlane) &&
        std::find(observed.ready_apiservers.begin(), observed.ready_apiservers.end(), node.name) ==
            observed.ready_apiservers.end())
      status.problems.push_back("its kube-apiserver is not ready");
  }
  bool node_ready = status.kubernetes_ready == "True";
  if (observed.api.reachable && !node_ready)
    status.problems.push_back(
        fmt::format("Kubernetes says Ready={}",
                    status.kubernetes_ready.empty() ? "absent" : status.kubernetes_ready));
  if (!status.reachable && (!observed.api.reachable || !node_ready))
    status.health = Health::kDown;
  else if (!status.problems.empty())
    status.health = Health::kDegraded;
  return status;
}

WorkloadStatus assess_workload(const observe::LiveWorkload& live) {
  WorkloadStatus status{.kind = live.kind,
                        .namespace_name = live.namespace_name,
                        .name = live.name,
                        .desired = live.desired,
                        .ready = live.ready,
                        .ready_on = live.ready_on};
  // Node failures it survives with a ready pod left: one fewer than the nodes its ready pods are
  // on.
  status.tolerates = std::max(static_cast<int>(live.ready_on.size()) - 1, 0);
  std::vector<std::string> nodes;
  for (const auto& [node, count] : live.ready_on)
    nodes.push_back(count > 1 ? fmt::format("{} x{}", node, count) : node);
  status.detail = fmt::format("{}/{} ready", live.ready, live.desired);
  if (!nodes.empty()) status.detail += fmt::format(" on {}", fmt::join(nodes, ", "));
  if (live.desired > 0 && live.ready == 0) {
    status.health = Health::kDown;
  } else if (live.ready < live.desired) {
    status.health = Health::kDegraded;
  } else if (live.desired > 1 && live.ready_on.size() == 1) {
    // Replicas that one node failure takes together: no redundancy, whatever the count says.
    status.health = Health::kDegraded;
    status.detail += ", all on one node";
  }
  status.detail += fmt::format(", tolerates {}", status.tolerates);
  return status;
}

// Attachments held by a node that is not Ready: the attach-detach controller releases them only
// 6 minutes after the node's pods are deleted (its maxWaitForUnmountDuration), unless the node is
// tainted out-of-service, so a ReadWriteOnce volume's pod stays Pending elsewhere meanwhile.
ComponentStatus assess_attachments(const Observations& observed, ClusterStatus& status) {
  std::map<std::string, bool> ready;
  for (const auto& node : observed.api.nodes) ready[node.name] = node.ready == "True";
  int attached = 0;
  for (const auto& attachment : observed.api.attachments) {
    if (!attachment.attached) continue;
    ++attached;
    auto found = ready.find(attachment.node);
    if (found == ready.end() || !found->second) status.stuck_attachments.push_back(attachment);
  }
  ComponentStatus component{.name = "volume attachments",
                            .detail = fmt::format("{} attached", attached)};
  if (status.stuck_attachments.empty()) {
    if (attached > 0) component.detail += ", every one on a Ready node";
    return component;
  }
  component.health = Health::kDegraded;
  std::vector<std::string> stuck;
  for (const auto& attachment : status.stuck_attachments)
    stuck.push_back(fmt::format(
        "{}{} on {}",
        attachment.persistent_volume.empty() ? attachment.name : attachment.persistent_volume,
        attachment.claim.empty() ? "" : " (claim " + attachment.claim + ")", attachment.node));
  component.detail += fmt::format(
      ", {} on a node that is not Ready: {}; their pods cannot start elsewhere until detached "
      "(forced 6 min after the pods are deleted, or at once when the node, really off, is "
      "tainted node.kubernetes.io/out-of-service=nodeshutdown:NoExecute)",
      stuck.size(), fmt::join(stuck, ", "));
  return component;
}

}  // namespace

const char* to_string(Health health) {
  switch (health) {
    case Health::kHealthy:
      return "healthy";
    case Health::kDegraded:
      return "degraded";
    case Health::kDown:
      return "down";
  }
  return "down";
}

ClusterStatus assess(const model::Cluster& cluster, const Observations& observed,
                     const AssessOptions& options) {
  ClusterStatus status{
      .cluster = cluster.name, .api_error = observed.api.error, .options = options};
  bool any_host = std::any_of(observed.hosts.begin(), observed.hosts.end(),
                              [](const observe::HostState& host) { return host.reachable; });
  status.unreachable = !any_host && !observed.api.reachable;
  for (const auto& lease : observed.api.leases) {
    if (lease.namespace_name != "kube-system" ||
        (lease.name != "kube-scheduler" && lease.name != "kube-controller-manager"))
      continue;
    status.leases.push_back({.namespace_name = lease.namespace_name,
                             .name = lease.name,
                             .holder = lease.holder,
                             .renewed_seconds_ago = lease.renewed_seconds_ago,
                             .duration_seconds = lease.duration_seconds,
                             .stale = lease.holder.empty() || !lease.renewed_seconds_ago ||
                                      *lease.renewed_seconds_ago > lease.duration_seconds});
  }
  status.etcd = observed.etcd;
  status.components.push_back(assess_etcd(cluster, observed));
  status.components.push_back(assess_apiservers(cluster, observed));
  status.components.push_back(assess_endpoint(cluster, observed));
  status.components.push_back(assess_controller(cluster, observed, "kube-scheduler",
                                                layout::kSchedulerUnit, status.leases));
  status.components.push_back(assess_controller(cluster, observed, "kube-controller-manager",
                                                layout::kControllerManagerUnit, status.leases));
  std::size_t ready_nodes = 0;
  for (const auto& node : cluster.nodes) {
    status.nodes.push_back(assess_node(node, observed));
    ready_nodes += status.nodes.back().kubernetes_ready == "True" ? 1 : 0;
  }
  ComponentStatus nodes{.name = "nodes",
                        .health = observed.api.reachable
                                      ? by_count(ready_nodes, cluster.nodes.size())
                                      : Health::kDown,
                        .tolerates = std::max(static_cast<int>(ready_nodes) - 1, 0)};
  nodes.detail = observed.api.reachable
                     ? fmt::format("{}/{} Ready", ready_nodes, cluster.nodes.size())
                     : "unknown: the API does not answer";
  status.components.push_back(nodes);
  if (observed.api.reachable) status.components.push_back(assess_attachments(observed, status));
  for (const auto& live : observed.api.workloads) status.workloads.push_back(assess_workload(live));
  for (const auto& host : observed.hosts) {
    for (const auto& certificate : host.certificates) {
      CertificateStatus entry{
          .node = host.node,
          .path = certificate.path,
          .days_left = (static_cast<double>(certificate.not_after) - observed.now) / 86400.0};
      if (!status.soonest || entry.days_left < status.soonest->days_left) status.soonest = entry;
      if (entry.days_left <= options.certificate_warning_days) status.expiring.push_back(entry);
    }
  }
  std::sort(status.expiring.begin(), status.expiring.end(),
            [](const auto& a, const auto& b) { return a.days_left < b.days_left; });
  // Down when the API cannot be used (the endpoint down, or nothing answers); degraded when any
  // part lost redundancy or is away while the API still serves.
  bool anything_wrong = !status.expiring.empty();
  for (const auto& component : status.components) {
    anything_wrong |= component.health != Health::kHealthy;
    if (component.name == "endpoint" && component.health == Health::kDown)
      status.health = Health::kDown;
  }
  for (const auto& node : status.nodes) anything_wrong |= node.health != Health::kHealthy;
  for (const auto& workload : status.workloads)
    anything_wrong |= workload.health != Health::kHealthy;
  if (anything_wrong) status.health = worst(status.health, Health::kDegraded);
  if (status.unreachable) status.health = Health::kDown;
  return status;
}

Observations observe_cluster(const model::Cluster& cluster, transport::Transport& transport,
                             observe::HttpClient& http, const std::string& server,
                             std::chrono::milliseconds timeout) {
  Observations observed;
  observed.now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto api =
      std::async(std::launch::async, [&] { return observe::observe_api(http, server, timeout); });
  auto hosts = std::async(std::launch::async,
                          [&] { return observe::observe_hosts(cluster, transport, timeout); });
  observe::ClusterFacts facts(cluster, transport, timeout);
  auto ready = std::async(std::launch::async, [&] { return facts.ready_apiservers(); });
  observed.etcd = facts.etcd_cluster();
  observed.ready_apiservers = ready.get();
  observed.hosts = hosts.get();
  observed.api = api.get();
  return observed;
}

int exit_code(const ClusterStatus& status) {
  if (status.unreachable) return 4;
  return status.health == Health::kHealthy ? 0 : 1;
}

}  // namespace zerospof::status
