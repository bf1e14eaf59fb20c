// The control plane's phases of build_steps(): etcd members restarted one at a time while
// quorum holds, the apiservers each ready on its own host before the next, the endpoint.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <set>

#include "apply/builder.h"

namespace zerospof::apply {

// Members restart one after another (each quorum-aware, see etcd_restart_script), then the
// cluster must show every member started, voting and healthy.
util::Result<Ids> Builder::add_etcd() {
  Ids members;
  const HostPlan* first = nullptr;
  for (const auto& host : hosts_) {
    if (!has_unit(host, layout::kEtcdUnit)) continue;
    if (first == nullptr) {
      ZEROSPOF_ASSIGN_OR_RETURN(access_, etcd_access(inputs_.cluster, inputs_.bundle));
      first = &host;
    }
    ServiceSpec spec{.unit = layout::kEtcdUnit,
                     .digest = host.digest,
                     .wait = inputs_.wait,
                     .restart = etcd_restart_script(access_, endpoint_of(access_, host.name),
                                                    layout::kEtcdUnit)};
    Ids deps = members.empty() ? host.ready : join(host.ready, {members.back()});
    ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_service_step(graph_, host.name, spec, deps));
    members.push_back(id);
  }
  if (first == nullptr) return Ids{};
  ZEROSPOF_ASSIGN_OR_RETURN(
      auto healthy,
      add_wait_step(graph_, "etcd/healthy", first->name,
                    fmt::format("etcd: {} voting members, all healthy", members.size()),
                    etcd_healthy_probe(access_, members.size()), inputs_.wait, members));
  return Ids{healthy};
}

// Apiservers one after another, each answering /readyz on its own host before the next
// (re)starts: HAProxy then always has the others to send requests to. Asked with the host's
// own scheduler or controller-manager kubeconfig (the firewall admits only the nodes to an
// apiserver's port); a host without one is waited for by its unit's start only.
util::Result<Ids> Builder::add_apiservers(const Ids& etcd) {
  Ids ready;
  std::string previous;
  for (const auto& host : hosts_) {
    if (!has_unit(host, layout::kApiserverUnit)) continue;
    ServiceSpec spec{.unit = layout::kApiserverUnit, .digest = host.digest, .wait = inputs_.wait};
    Ids deps = join(host.ready, etcd);
    if (!previous.empty()) deps.push_back(previous);
    ZEROSPOF_ASSIGN_OR_RETURN(previous, add_service_step(graph_, host.name, spec, deps));
    if (std::string kubeconfig = local_kubeconfig(host); !kubeconfig.empty()) {
      std::string probe =
          fmt::format("{} --kubeconfig={} --request-timeout=5s get --raw /readyz >/dev/null 2>&1",
                      layout::binary_path("kubectl"), transport::shell_quote(kubeconfig));
      ZEROSPOF_ASSIGN_OR_RETURN(previous, add_wait_step(graph_, "apiserver/ready@" + host.name,
                                                        host.name, "the apiserver answers /readyz",
                                                        probe, inputs_.wait, {previous}));
    }
    ready.push_back(previous);
  }
  return ready;
}

// HAProxy first, then the fitness service that reads HAProxy's view, then keepalived that
// reads the fitness: each rolls over the hosts before the next begins.
util::Result<Ids> Builder::add_endpoint(const Ids& after) {
  Ids all, previous = after;
  for (const char* unit :
       {layout::kHaproxyUnit, layout::kVipFitnessUnit, layout::kKeepalivedUnit}) {
    ZEROSPOF_ASSIGN_OR_RETURN(
        Ids started,
        add_services([unit](const std::string& each) { return each == unit; }, previous));
    if (started.empty()) continue;
    all = join(all, started);
    previous = join(after, {started.back()});
  }
  return all;
}

std::string Builder::local_kubeconfig(const HostPlan& host) {
  for (const auto& unit : host.index.units) {
    if (kControllerUnits.count(unit.unit) == 0) continue;
    if (auto found = unit.flags.find("kubeconfig"); found != unit.flags.end()) return found->second;
  }
  return {};
}

}  // namespace zerospof::apply
