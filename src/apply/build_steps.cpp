// build_steps: the phases of an apply as one graph. Implementation note: each phase depends on
// the "barrier" ids of the phase before it (e.g. every apiserver waits for etcd/healthy), never
// on everything before, so hosts progress independently within a phase.
#include <fmt/format.h>

#include <set>

#include "apply/apply.h"
#include "apply/steps.h"

namespace zerospof::apply {
namespace {

constexpr std::string_view kUnitDir = "/etc/systemd/system/";
constexpr const char* kEtcdUnit = "zerospof-etcd.service";
constexpr const char* kApiserverUnit = "zerospof-kube-apiserver.service";
const std::set<std::string> kControllerUnits{"zerospof-kube-controller-manager.service",
                                             "zerospof-kube-scheduler.service"};
// Debian's own units, started when the bundle configures them.
const std::vector<std::pair<std::string, std::string>> kPackageUnits{
    {"/etc/haproxy/haproxy.cfg", "haproxy.service"},
    {"/etc/keepalived/keepalived.conf", "keepalived.service"}};
const std::set<std::string> kEndpointUnits{"haproxy.service", "keepalived.service"};

bool is_pki(const std::string& path) { return path.rfind("/etc/zerospof/pki/", 0) == 0; }

std::vector<std::string> units_of(const std::vector<transport::FileSpec>& files) {
  std::vector<std::string> units;
  for (const auto& file : files) {
    if (file.path.rfind(kUnitDir, 0) == 0 && file.path.size() > kUnitDir.size() &&
        file.path.find('/', kUnitDir.size()) == std::string::npos &&
        file.path.ends_with(".service")) {
      units.push_back(file.path.substr(kUnitDir.size()));
    }
  }
  for (const auto& [config, unit] : kPackageUnits) {
    for (const auto& file : files) {
      if (file.path == config) units.push_back(unit);
    }
  }
  return units;
}

// Everything known about one host while building.
struct HostPlan {
  std::string name;
  std::vector<transport::FileSpec> files;
  std::vector<Binary> binaries;
  std::string digest;
  Ids ready;  // its files and binaries are in place
};

class Builder {
 public:
  explicit Builder(const ApplyInputs& inputs)
      : inputs_(inputs), contents_(std::make_shared<BinaryContents>()) {}

  util::Result<StepGraph> build() {
    for (const auto& node : inputs_.cluster.nodes) ZEROSPOF_RETURN_IF_ERROR(add_host(node.name));
    ZEROSPOF_RETURN_IF_ERROR(add_operator_files());
    ZEROSPOF_ASSIGN_OR_RETURN(Ids etcd, add_etcd());
    ZEROSPOF_ASSIGN_OR_RETURN(Ids apiservers, add_services(is_apiserver, etcd));
    Ids api_ready = apiservers;
    if (!admin_kubeconfig_.empty() && !apiservers.empty()) {
      ZEROSPOF_ASSIGN_OR_RETURN(api_ready, add_apiservers_ready(apiservers));
    }
    ZEROSPOF_ASSIGN_OR_RETURN(Ids controllers, add_services(is_controller, api_ready));
    ZEROSPOF_ASSIGN_OR_RETURN(Ids endpoint, add_services(is_endpoint, api_ready));
    Ids endpoint_ready = join(endpoint, controllers);
    if (!admin_kubeconfig_.empty() && !apiservers.empty()) {
      ZEROSPOF_ASSIGN_OR_RETURN(
          endpoint_ready, add_operator_wait("endpoint/ready", "the API endpoint answers /readyz",
                                            kubectl("get --raw /readyz"),
                                            join(join(endpoint, controllers), api_ready)));
    }
    ZEROSPOF_ASSIGN_OR_RETURN(Ids agents, add_services(is_node_agent, endpoint_ready));
    if (!admin_kubeconfig_.empty() && !apiservers.empty()) {
      ZEROSPOF_RETURN_IF_ERROR(add_verification(controllers, join(agents, endpoint_ready)));
    }
    return std::move(graph_);
  }

 private:
  static bool is_apiserver(const std::string& unit) { return unit == kApiserverUnit; }
  static bool is_controller(const std::string& unit) { return kControllerUnits.count(unit) != 0; }
  static bool is_endpoint(const std::string& unit) { return kEndpointUnits.count(unit) != 0; }
  static bool is_node_agent(const std::string& unit) {
    return unit != kEtcdUnit && !is_apiserver(unit) && !is_controller(unit) && !is_endpoint(unit);
  }

  // The unit that makes its host a Kubernetes node: kubelet, or kwok in the lab.
  static bool is_node(const std::string& unit) {
    return unit.find("kubelet") != std::string::npos || unit.find("kwok") != std::string::npos;
  }

  static Ids join(Ids a, const Ids& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  util::Status add_host(const std::string& name) {
    HostPlan host{.name = name, .files = host_files(inputs_.bundle, name)};
    if (host.files.empty()) return {};
    host.binaries = binaries_for(host.files, inputs_.binaries);
    host.digest = inputs_digest(host.files, host.binaries);
    ZEROSPOF_ASSIGN_OR_RETURN(std::string prepared, add_preparation_step(graph_, name));
    std::vector<transport::FileSpec> pki, config;
    for (auto& file : host.files) (is_pki(file.path) ? pki : config).push_back(file);
    if (!pki.empty()) {
      ZEROSPOF_ASSIGN_OR_RETURN(auto id, add_files_step(graph_, "pki", name, pki, {prepared}));
      host.ready.push_back(id);
    }
    if (!config.empty()) {
      ZEROSPOF_ASSIGN_OR_RETURN(auto id,
                                add_files_step(graph_, "config", name, config, {prepared}));
      host.ready.push_back(id);
    }
    ZEROSPOF_ASSIGN_OR_RETURN(Ids binaries,
                              add_binary_steps(graph_, name, host.binaries, contents_, {prepared}));
    host.ready = join(host.ready, binaries);
    hosts_.push_back(std::move(host));
    return {};
  }

  // Files of the operator's machine go below operator_dir, never over its own /etc.
  util::Status add_operator_files() {
    auto files = host_files(inputs_.bundle, "");
    if (files.empty()) return {};
    for (auto& file : files) {
      file.path = inputs_.operator_dir + file.path;
      if (file.path.find("admin") != std::string::npos && file.path.ends_with("kubeconfig")) {
        admin_kubeconfig_ = file.path;
      }
    }
    ZEROSPOF_ASSIGN_OR_RETURN(operator_files_,
                              add_files_step(graph_, "operator-files", "", files, {}));
    return {};
  }

  // Members restart one after another (each quorum-aware, see etcd_restart_script), then the
  // cluster must show every member started, voting and healthy.
  util::Result<Ids> add_etcd() {
    Ids members;
    const HostPlan* first = nullptr;
    for (const auto& host : hosts_) {
      if (!has_unit(host, kEtcdUnit)) continue;
      if (first == nullptr) {
        ZEROSPOF_ASSIGN_OR_RETURN(access_, etcd_access(inputs_.cluster, inputs_.bundle));
        first = &host;
      }
      ServiceSpec spec{.unit = kEtcdUnit,
                       .digest = host.digest,
                       .wait = inputs_.wait,
                       .restart = etcd_restart_script(access_, kEtcdUnit)};
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

  static bool has_unit(const HostPlan& host, const std::string& unit) {
    for (const auto& found : units_of(host.files)) {
      if (found == unit) return true;
    }
    return false;
  }

  util::Result<Ids> add_services(bool (*wanted)(const std::string&), const Ids& after) {
    Ids ids;
    for (const auto& host : hosts_) {
      for (const auto& unit : units_of(host.files)) {
        if (!wanted(unit)) continue;
        ServiceSpec spec{.unit = unit, .digest = host.digest, .wait = inputs_.wait};
        ZEROSPOF_ASSIGN_OR_RETURN(
            auto id, add_service_step(graph_, host.name, spec, join(host.ready, after)));
        ids.push_back(id);
      }
    }
    return ids;
  }

  std::string kubectl(const std::string& arguments) const {
    return fmt::format("{} --kubeconfig={} --request-timeout=5s {}",
                       transport::shell_quote(inputs_.kubectl),
                       transport::shell_quote(admin_kubeconfig_), arguments);
  }

  util::Result<Ids> add_operator_wait(const std::string& id, const std::string& summary,
                                      const std::string& probe, Ids deps) {
    if (!operator_files_.empty()) deps.push_back(operator_files_);
    ZEROSPOF_ASSIGN_OR_RETURN(auto added,
                              add_wait_step(graph_, id, "", summary, probe, inputs_.wait, deps));
    return Ids{added};
  }

  // Each apiserver answers /readyz on its own address, not only through the endpoint.
  util::Result<Ids> add_apiservers_ready(const Ids& apiservers) {
    std::string probe = "true";
    int count = 0;
    for (const auto& host : hosts_) {
      if (!has_unit(host, kApiserverUnit)) continue;
      const model::Node* node = inputs_.cluster.find_node(host.name);
      std::string address = node->address ? node->address->base.to_string() : node->host;
      std::string port = "6443";
      for (const auto& file : host.files) {
        if (file.path.ends_with(kApiserverUnit) &&
            !flag_value(file.content, "secure-port").empty()) {
          port = flag_value(file.content, "secure-port");
        }
      }
      probe += " && " + kubectl(fmt::format("--server=https://{}:{} get --raw /readyz >/dev/null",
                                            address, port));
      ++count;
    }
    return add_operator_wait("apiservers/ready", fmt::format("{} apiservers ready", count), probe,
                             apiservers);
  }

  util::Status add_verification(const Ids& controllers, const Ids& agents) {
    std::string leases = kubectl(
        "-n kube-system get lease kube-scheduler kube-controller-manager "
        "-o jsonpath='{.items[*].spec.holderIdentity}' | wc -w | grep -qx 2");
    ZEROSPOF_ASSIGN_OR_RETURN(
        auto leased,
        add_operator_wait("verify/leases", "one leader each for scheduler and controller-manager",
                          leases, controllers));
    std::size_t nodes = 0;
    for (const auto& host : hosts_) {
      for (const auto& unit : units_of(host.files)) nodes += is_node(unit) ? 1 : 0;
    }
    if (nodes == 0) return {};
    std::string ready = kubectl(
                            "get nodes -o jsonpath='{range "
                            ".items[*]}{.status.conditions[?(@.type==\"Ready\")].status}"
                            "{\"\\n\"}{end}'") +
                        fmt::format(" | grep -cx True | grep -qx {}", nodes);
    ZEROSPOF_ASSIGN_OR_RETURN(
        auto ready_id, add_operator_wait("verify/nodes", fmt::format("{} nodes Ready", nodes),
                                         ready, join(agents, leased)));
    (void)ready_id;
    return {};
  }

  const ApplyInputs& inputs_;
  std::shared_ptr<BinaryContents> contents_;
  StepGraph graph_;
  std::vector<HostPlan> hosts_;
  EtcdAccess access_;
  std::string operator_files_;
  std::string admin_kubeconfig_;
};

}  // namespace

util::Result<StepGraph> build_steps(const ApplyInputs& inputs) { return Builder(inputs).build(); }

}  // namespace zerospof::apply
