// The Builder behind build_steps() (build_steps.h): the state of one graph being built, and one
// member per phase, defined in the file of its phase: build_steps.cpp (the hosts, their files
// and binaries, services rolling host after host, retirement), control_plane_steps.cpp (etcd,
// the apiservers, the endpoint), cluster_checks.cpp (what is asked through the API: the
// endpoint's readiness, addons, the final verification). Internal to apply/.
//
// Each phase depends on the "barrier" ids of the phase before it (e.g. every apiserver waits
// for etcd/healthy), never on everything before, so hosts progress independently within a
// phase. Services roll: a unit starts on a host only once the same unit on the host before it
// is back (an apiserver: ready again), so a re-apply that changes every file of every host (a
// certificate reissue) never has two instances of one service away at once (docs/apply.md,
// "Re-apply, rolling").
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "apply/build_steps.h"
#include "apply/steps.h"
#include "render/layout.h"

namespace zerospof::apply {

namespace layout = render::layout;

inline const std::set<std::string> kControllerUnits{layout::kControllerManagerUnit,
                                                    layout::kSchedulerUnit};
inline const std::set<std::string> kEndpointUnits{layout::kHaproxyUnit, layout::kVipFitnessUnit,
                                                  layout::kKeepalivedUnit};
// Debian's units whose reload takes a new configuration in place (see ServiceSpec).
inline const std::set<std::string> kReloadedUnits{layout::kHaproxyUnit, layout::kKeepalivedUnit,
                                                  layout::kNftablesUnit};

// The units a host runs, by name, from render's index (zerospof's own, then the endpoint
// packages' it configures); the firewall has its own step.
inline std::vector<std::string> units_of(const render::HostEntry& host) {
  std::vector<std::string> units;
  for (const auto& unit : host.units) units.push_back(unit.unit);
  return units;
}

// Everything known about one host while building.
struct HostPlan {
  std::string name;
  std::vector<transport::FileSpec> files;
  render::HostEntry index;  // what render says runs there
  std::vector<Binary> binaries;
  std::string digest;
  Ids ready;  // its files and binaries are in place
};

class Builder {
 public:
  explicit Builder(const ApplyInputs& inputs)
      : inputs_(inputs), contents_(std::make_shared<BinaryContents>()) {}

  util::Result<StepGraph> build();

 private:
  static bool is_apiserver(const std::string& unit) { return unit == layout::kApiserverUnit; }

  static bool is_controller(const std::string& unit) { return kControllerUnits.count(unit) != 0; }

  static bool is_endpoint(const std::string& unit) { return kEndpointUnits.count(unit) != 0; }

  static bool is_node_agent(const std::string& unit) {
    return unit != layout::kEtcdUnit && !is_apiserver(unit) && !is_controller(unit) &&
           !is_endpoint(unit);
  }

  // The unit that makes its host a Kubernetes node: kubelet, or kwok in the lab.
  static bool is_node(const std::string& unit) {
    return unit == layout::kKubeletUnit || unit == layout::kKwokUnit;
  }

  static Ids join(Ids a, const Ids& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  util::Status add_host(const std::string& name);

  // Files of the operator's machine go below operator_dir, never over its own /etc.
  util::Status add_operator_files();

  // Members restart one after another (each quorum-aware, see etcd_restart_script), then the
  // cluster must show every member started, voting and healthy.
  util::Result<Ids> add_etcd();

  static bool has_unit(const HostPlan& host, const std::string& unit);

  // Each wanted unit on every host that has it, rolling: on each host after the same unit on
  // the host before (see the top of this file).
  util::Result<Ids> add_services(const std::function<bool(const std::string&)>& wanted,
                                 const Ids& after);

  // Once the new bundle runs everywhere (the endpoint answers, every agent started): what earlier
  // applies installed and this bundle no longer has goes, host after host.
  util::Status add_retirement(const Ids& after);

  // HAProxy first, then the fitness service that reads HAProxy's view, then keepalived that
  // reads the fitness: each rolls over the hosts before the next begins.
  util::Result<Ids> add_endpoint(const Ids& after);

  std::string kubectl(const std::string& arguments) const;

  util::Result<Ids> add_operator_wait(const std::string& id, const std::string& summary,
                                      const std::string& probe, Ids deps,
                                      const std::string& explain = "");

  // Apiservers one after another, each answering /readyz on its own host before the next
  // (re)starts: HAProxy then always has the others to send requests to. Asked with the host's
  // own scheduler or controller-manager kubeconfig (the firewall admits only the nodes to an
  // apiserver's port); a host without one is waited for by its unit's start only.
  util::Result<Ids> add_apiservers(const Ids& etcd);

  static std::string local_kubeconfig(const HostPlan& host);

  // The manifests of the operator's machine, applied server-side (big CRDs exceed the
  // client-side annotation limit) and retried, since custom resources wait for their CRDs.
  util::Result<Ids> add_addons(const Ids& deps);

  util::Status add_verification(const Ids& controllers, const Ids& agents, const Ids& addons);

  // "KIND/NAMESPACE/NAME WANTED AVAILABLE" per workload, then a verdict over them: a probe that
  // fails unless every one is fully available (a failed kubectl fails too, never passes on an
  // empty list), or, with `name_the_unavailable`, a list of the ones that are not.
  std::string workloads_available(bool name_the_unavailable) const;

  const ApplyInputs& inputs_;
  std::shared_ptr<BinaryContents> contents_;
  StepGraph graph_;
  std::vector<HostPlan> hosts_;
  EtcdAccess access_;
  std::string operator_files_;
  std::string last_firewall_;
  std::string admin_kubeconfig_;
  // The bundle's manifests (where apply writes them on this machine): applied by
  // name, so that a manifest an earlier bundle had and this one has not is not applied again.
  std::vector<std::string> manifests_;
};

}  // namespace zerospof::apply
