// build_steps(): the hosts, their files and binaries, services rolling host after host, and
// retirement (builder.h says how the phases fit together).
#include "apply/build_steps.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "apply/builder.h"

namespace zerospof::apply {

util::Result<StepGraph> Builder::build() {
  ZEROSPOF_RETURN_IF_ERROR(
      binaries::check_binary_versions(inputs_.binaries, inputs_.cluster.kubernetes.version));
  for (const auto& node : inputs_.cluster.nodes) ZEROSPOF_RETURN_IF_ERROR(add_host(node.name));
  ZEROSPOF_RETURN_IF_ERROR(add_operator_files());
  ZEROSPOF_ASSIGN_OR_RETURN(Ids etcd, add_etcd());
  ZEROSPOF_ASSIGN_OR_RETURN(Ids api_ready, add_apiservers(etcd));
  ZEROSPOF_ASSIGN_OR_RETURN(Ids controllers, add_services(is_controller, api_ready));
  ZEROSPOF_ASSIGN_OR_RETURN(Ids endpoint, add_endpoint(api_ready));
  Ids endpoint_ready = join(endpoint, controllers);
  bool api = !admin_kubeconfig_.empty() && !api_ready.empty();
  if (api) {
    ZEROSPOF_ASSIGN_OR_RETURN(
        endpoint_ready, add_operator_wait("endpoint/ready", "the API endpoint answers /readyz",
                                          kubectl("get --raw /readyz"),
                                          join(join(endpoint, controllers), api_ready)));
  }
  ZEROSPOF_ASSIGN_OR_RETURN(Ids agents, add_services(is_node_agent, endpoint_ready));
  ZEROSPOF_RETURN_IF_ERROR(add_retirement(join(join(agents, endpoint_ready), etcd)));
  if (!api) return std::move(graph_);
  ZEROSPOF_ASSIGN_OR_RETURN(Ids addons, add_addons(endpoint_ready));
  ZEROSPOF_RETURN_IF_ERROR(add_verification(controllers, join(agents, endpoint_ready), addons));
  return std::move(graph_);
}

util::Status Builder::add_host(const std::string& name) {
  HostPlan host{.name = name, .files = host_files(inputs_.bundle, name)};
  if (host.files.empty()) return {};
  if (const auto* entry = inputs_.bundle.index.find(name)) host.index = *entry;
  if (auto missing = binaries_missing_from_cache(host.index.programs(), inputs_.binaries);
      !missing.empty())
    return util::fail(util::Error::failed_precondition(
        fmt::format("{} starts {} from {}, which the binary cache does not hold", name,
                    fmt::join(missing, ", "), layout::kBinDir),
        "zerospof fetch PLAN downloads the pinned official releases into the cache and "
        "verifies them (--binaries DIR for another cache; docs/fetch.md); lab/binaries/build.sh "
        "fills the lab's only with what the lab runs"));
  host.binaries = binaries_for(host.index.programs(), inputs_.binaries);
  host.digest = inputs_digest(host.files, host.binaries);
  ZEROSPOF_ASSIGN_OR_RETURN(std::string prepared, add_preparation_step(graph_, name));
  std::vector<transport::FileSpec> pki, config;
  for (auto& file : host.files) (layout::is_pki_path(file.path) ? pki : config).push_back(file);
  if (!pki.empty()) {
    ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_files_step(graph_, "pki", name, pki, {prepared}));
    host.ready.push_back(id);
  }
  if (!config.empty()) {
    ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_files_step(graph_, "config", name, config, {prepared}));
    host.ready.push_back(id);
  }
  ZEROSPOF_ASSIGN_OR_RETURN(Ids binaries,
                            add_binary_steps(graph_, name, host.binaries, contents_, {prepared}));
  host.ready = join(host.ready, binaries);
  for (const auto& file : host.files) {
    // The host firewall comes up with the host's files, before any service listens.
    if (file.path != layout::kNftablesConfig) continue;
    ServiceSpec spec{.unit = layout::kNftablesUnit,
                     .digest = host.digest,
                     .wait = inputs_.wait,
                     .reload_in_place = true};
    // Rolling like every service: a firewall that shuts a port its host needs cuts one host.
    Ids deps = host.ready;
    if (!last_firewall_.empty()) deps.push_back(last_firewall_);
    ZEROSPOF_ASSIGN_OR_RETURN(last_firewall_, add_service_step(graph_, name, spec, deps));
    host.ready.push_back(last_firewall_);
  }
  hosts_.push_back(std::move(host));
  return {};
}

// Files of the operator's machine go below operator_dir, never over its own /etc.
util::Status Builder::add_operator_files() {
  auto files = host_files(inputs_.bundle, "");
  if (files.empty()) return {};
  for (auto& file : files) {
    file.path = inputs_.operator_dir + file.path;
    std::string name = std::filesystem::path(file.path).filename().string();
    if (name.rfind("admin", 0) == 0 && file.path.find("kubeconfig") != std::string::npos) {
      admin_kubeconfig_ = file.path;
    }
    if (file.path.find(layout::kManifestDir) != std::string::npos) manifests_.push_back(file.path);
  }
  ZEROSPOF_ASSIGN_OR_RETURN(operator_files_,
                            add_files_step(graph_, "operator-files", "", files, {}));
  return {};
}

bool Builder::has_unit(const HostPlan& host, const std::string& unit) {
  for (const auto& found : units_of(host.index)) {
    if (found == unit) return true;
  }
  return false;
}

namespace {

// The wanted units of a host, each after those of them it starts after (UnitEntry::after): the
// order their restarts go in. A unit it names that is not wanted here (another phase's, or one
// the host does not run) is no concern of this order: the phases order those.
util::Result<std::vector<const render::UnitEntry*>> in_start_order(
    const render::HostEntry& host, const std::function<bool(const std::string&)>& wanted) {
  std::vector<const render::UnitEntry*> waiting, ordered;
  for (const auto& unit : host.units)
    if (wanted(unit.unit)) waiting.push_back(&unit);
  auto is_waiting = [&](const std::string& name) {
    return std::any_of(waiting.begin(), waiting.end(),
                       [&](const render::UnitEntry* unit) { return unit->unit == name; });
  };
  while (!waiting.empty()) {
    auto ready = std::find_if(waiting.begin(), waiting.end(), [&](const render::UnitEntry* unit) {
      return std::none_of(unit->after.begin(), unit->after.end(), is_waiting);
    });
    if (ready == waiting.end()) {
      std::vector<std::string> names;
      for (const auto* unit : waiting) names.push_back(unit->unit);
      return util::fail(util::Error::failed_precondition(
          fmt::format("render's index for {} gives the units {} no start order: their `after` "
                      "lists form a cycle",
                      host.host, fmt::join(names, ", ")),
          "render the plan again with this zerospof (zerospof render PLAN --output-dir DIR)"));
    }
    ordered.push_back(*ready);
    waiting.erase(ready);
  }
  return ordered;
}

}  // namespace

// Each wanted unit on every host that has it, rolling: on each host after the same unit on
// the host before (see the top of this file), and only once the units of its host it starts
// after are back: the lab's import of images into containerd failed when containerd restarted
// under it.
util::Result<Ids> Builder::add_services(const std::function<bool(const std::string&)>& wanted,
                                        const Ids& after) {
  Ids ids;
  std::map<std::string, std::string> previous;  // unit -> its step on the last host
  for (const auto& host : hosts_) {
    ZEROSPOF_ASSIGN_OR_RETURN(auto units, in_start_order(host.index, wanted));
    std::map<std::string, std::string> on_this_host;  // unit -> its step here
    for (const render::UnitEntry* unit : units) {
      ServiceSpec spec{.unit = unit->unit,
                       .digest = host.digest,
                       .wait = inputs_.wait,
                       .reload_in_place = kReloadedUnits.count(unit->unit) != 0};
      Ids deps = join(host.ready, after);
      if (auto found = previous.find(unit->unit); found != previous.end())
        deps.push_back(found->second);
      for (const auto& first : unit->after)
        if (auto found = on_this_host.find(first); found != on_this_host.end())
          deps.push_back(found->second);
      ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_service_step(graph_, host.name, spec, deps));
      previous[unit->unit] = id;
      on_this_host[unit->unit] = id;
      ids.push_back(id);
    }
  }
  return ids;
}

// Once the new bundle runs everywhere (the endpoint answers, every agent started): what earlier
// applies installed and this bundle no longer has goes, host after host.
util::Status Builder::add_retirement(const Ids& after) {
  std::string previous;
  for (const auto& host : hosts_) {
    std::vector<std::string> units = units_of(host.index), paths;
    for (const auto& file : host.files) {
      paths.push_back(file.path);
      if (file.path == layout::kNftablesConfig) units.push_back(layout::kNftablesUnit);
    }
    Ids deps = after;
    if (!previous.empty()) deps.push_back(previous);
    ZEROSPOF_ASSIGN_OR_RETURN(previous, add_retire_step(graph_, host.name, units, paths, deps));
  }
  return {};
}

util::Result<StepGraph> build_steps(const ApplyInputs& inputs) { return Builder(inputs).build(); }

}  // namespace zerospof::apply
