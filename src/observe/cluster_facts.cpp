#include "observe/cluster_facts.h"

#include <fmt/format.h>

#include <future>
#include <nlohmann/json.hpp>

#include "render/layout.h"

namespace zerospof::observe {

namespace {

namespace layout = render::layout;

std::string address_of(const model::Node& node) {
  return node.address ? node.address->base.to_string() : node.host;
}

}  // namespace

ClusterFacts::ClusterFacts(const model::Cluster& cluster, transport::Transport& transport,
                           std::chrono::milliseconds timeout)
    : cluster_(cluster), transport_(transport), timeout_(timeout) {}

std::vector<std::string> ClusterFacts::vip_holders() {
  std::vector<std::string> holders;
  if (cluster_.endpoint.mode != model::EndpointMode::kVip || !cluster_.endpoint.address)
    return holders;
  // `ip -o addr` prints "2: eth0    inet 198.18.0.2/24 ...": the VIP with its prefix.
  std::string vip = cluster_.endpoint.address->to_string();
  std::vector<std::pair<std::string, std::future<bool>>> asked;
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane)) {
    std::string name = node->name;
    asked.emplace_back(name, std::async(std::launch::async, [this, name, vip] {
                         auto result = transport_.run(
                             name,
                             {.script = fmt::format("ip -o addr show | grep -qF {}",
                                                    transport::shell_quote(" " + vip + "/")),
                              // A dead host must not hold the others' answers up.
                              .timeout = std::min(timeout_, std::chrono::milliseconds(1000))});
                         return result && result->exit_code == 0;
                       }));
  }
  for (auto& [name, answer] : asked)
    if (answer.get()) holders.push_back(name);
  return holders;
}

std::optional<std::string> ClusterFacts::etcdctl(const std::string& arguments) {
  std::string endpoints;
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kEtcd))
    endpoints += fmt::format("{}https://{}:{}", endpoints.empty() ? "" : ",",
                             model::url_host(address_of(*node)), layout::kEtcdClientPort);
  std::string command = fmt::format(
      "{} --dial-timeout=1s --command-timeout=2s --endpoints={} --cacert={} --cert={}.crt "
      "--key={}.key {}",
      layout::binary_path("etcdctl"), endpoints, layout::kEtcdCa, layout::kApiserverEtcdClient,
      layout::kApiserverEtcdClient, arguments);
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane)) {
    auto result = transport_.run(node->name, {.script = command, .timeout = timeout_});
    // etcdctl prints what it got and exits 1 when one endpoint fails: the answers still count.
    if (result && !result->out.empty()) return result->out;
  }
  return std::nullopt;
}

std::string ClusterFacts::node_of_endpoint(const std::string& endpoint) const {
  for (const model::Node& node : cluster_.nodes)
    if (endpoint ==
        fmt::format("https://{}:{}", model::url_host(address_of(node)), layout::kEtcdClientPort))
      return node.name;
  return endpoint;
}

EtcdStatus ClusterFacts::etcd_status() {
  EtcdStatus status;
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kEtcd))
    status.members.push_back({.node = node->name});
  auto out = etcdctl("endpoint status -w json");
  if (!out) return status;
  auto json = nlohmann::json::parse(*out, nullptr, false);
  if (!json.is_array()) return status;
  for (const auto& entry : json) {
    std::string node = node_of_endpoint(entry.value("Endpoint", std::string{}));
    for (auto& member : status.members) {
      if (member.node != node) continue;
      member.answered = true;
      auto id = entry.value("/Status/header/member_id"_json_pointer, std::uint64_t{0});
      auto leader = entry.value("/Status/leader"_json_pointer, std::uint64_t{0});
      member.revision = entry.value("/Status/header/revision"_json_pointer, std::uint64_t{0});
      member.leader = id != 0 && id == leader;
      if (member.leader) status.leader = node;
    }
  }
  return status;
}

std::optional<std::map<std::string, std::uint32_t>> ClusterFacts::etcd_hashes() {
  EtcdStatus status = etcd_status();
  std::uint64_t revision = 0;
  for (const auto& member : status.members) {
    if (!member.answered) return std::nullopt;
    revision = revision == 0 ? member.revision : std::min(revision, member.revision);
  }
  auto out = etcdctl(fmt::format("endpoint hashkv --rev={} -w json", revision));
  if (!out) return std::nullopt;
  auto json = nlohmann::json::parse(*out, nullptr, false);
  if (!json.is_array()) return std::nullopt;
  std::map<std::string, std::uint32_t> hashes;
  for (const auto& entry : json)
    hashes[node_of_endpoint(entry.value("Endpoint", std::string{}))] =
        entry.value("/HashKV/hash"_json_pointer, std::uint32_t{0});
  if (hashes.size() != status.members.size()) return std::nullopt;
  return hashes;
}

std::vector<std::string> ClusterFacts::ready_apiservers() {
  std::vector<std::string> ready;
  std::vector<std::pair<std::string, std::future<bool>>> asked;
  // The scheduler's kubeconfig names this node's own apiserver (render: controllers use the
  // local apiserver), so the answer is that apiserver's, not the endpoint's.
  std::string command =
      fmt::format("{} --kubeconfig={}/scheduler.conf --request-timeout=2s get --raw /readyz",
                  layout::binary_path("kubectl"), layout::kKubeconfigDir);
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane)) {
    std::string name = node->name;
    asked.emplace_back(name, std::async(std::launch::async, [this, name, command] {
                         auto result =
                             transport_.run(name, {.script = command, .timeout = timeout_});
                         return result && result->exit_code == 0 && result->out == "ok";
                       }));
  }
  for (auto& [name, answer] : asked)
    if (answer.get()) ready.push_back(name);
  return ready;
}

bool ClusterFacts::unit_active(const std::string& node, const std::string& unit) {
  auto result =
      transport_.run(node, {.script = "systemctl is-active --quiet " + transport::shell_quote(unit),
                            .timeout = timeout_});
  return result && result->exit_code == 0;
}

}  // namespace zerospof::observe
