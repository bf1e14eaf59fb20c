#include "observe/cluster_facts.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "observe/host_state.h"
#include "render/layout.h"
#include "render/render.h"

namespace zerospof::observe {

namespace {

namespace layout = render::layout;

// What a host's answer to the VIP test says: grep -q exits 0 when the address is there and 1
// when it is not; anything else, or no answer in time, says nothing.
std::optional<bool> vip_answer(const transport::CommandResult& result) {
  if (result.timed_out || (result.exit_code != 0 && result.exit_code != 1)) return std::nullopt;
  return result.exit_code == 0;
}

// https://ADDRESS:2379, as the members advertise it.
std::string client_url(const model::Node& node) {
  return fmt::format("https://{}:{}", model::url_host(node.cluster_address()),
                     layout::kEtcdClientPort);
}

}  // namespace

ClusterFacts::ClusterFacts(const model::Cluster& cluster, transport::Transport& transport,
                           std::chrono::milliseconds timeout)
    : cluster_(cluster), transport_(transport), timeout_(timeout) {}

std::vector<std::pair<std::string, std::optional<bool>>> ClusterFacts::ask_control_plane(
    const std::string& script, std::chrono::milliseconds timeout,
    const std::function<std::optional<bool>(const transport::CommandResult&)>& answer) {
  // Asked of every node at once: a dead host costs one timeout, not one per node.
  std::vector<std::pair<std::string, std::future<std::optional<bool>>>> asked;
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane)) {
    std::string name = node->name;
    asked.emplace_back(name, std::async(std::launch::async, [&, name]() -> std::optional<bool> {
                         auto result = transport_.run(name, {.script = script, .timeout = timeout});
                         if (!result) return std::nullopt;
                         return answer(*result);
                       }));
  }
  std::vector<std::pair<std::string, std::optional<bool>>> answers;
  for (auto& [name, answer] : asked) answers.emplace_back(name, answer.get());
  return answers;
}

std::vector<std::string> ClusterFacts::control_plane_nodes_where(
    const std::string& script, std::chrono::milliseconds timeout,
    const std::function<bool(const transport::CommandResult&)>& holds) {
  std::vector<std::string> nodes;
  for (const auto& [name, said] : ask_control_plane(
           script, timeout, [&](const transport::CommandResult& result) -> std::optional<bool> {
             return holds(result);
           }))
    if (said == std::optional<bool>(true)) nodes.push_back(name);
  return nodes;
}

std::optional<std::string> ClusterFacts::vip_script() const {
  if (cluster_.endpoint.mode != model::EndpointMode::kVip || !cluster_.endpoint.address)
    return std::nullopt;
  return holds_vip_script(cluster_.endpoint.address->to_string());
}

std::vector<std::string> ClusterFacts::vip_holders(std::chrono::milliseconds timeout) {
  auto script = vip_script();
  if (!script) return {};
  return control_plane_nodes_where(
      *script,
      // A dead host must not hold the others' answers up.
      std::min(timeout_, timeout),
      [](const transport::CommandResult& result) { return result.exit_code == 0; });
}

std::optional<std::vector<std::string>> ClusterFacts::vip_holders_if_known(
    std::chrono::milliseconds timeout) {
  auto script = vip_script();
  if (!script) return std::vector<std::string>{};
  std::vector<std::string> holders;
  bool all_answered = true;
  for (const auto& [name, holds] :
       ask_control_plane(*script, std::min(timeout_, timeout), vip_answer)) {
    all_answered &= holds.has_value();
    if (holds == std::optional<bool>(true)) holders.push_back(name);
  }
  if (holders.empty() && !all_answered) return std::nullopt;
  return holders;
}

std::optional<bool> ClusterFacts::holds_vip(const std::string& node,
                                            std::chrono::milliseconds timeout) {
  auto script = vip_script();
  if (!script) return false;
  auto result = transport_.run(node, {.script = *script, .timeout = std::min(timeout_, timeout)});
  if (!result) return std::nullopt;
  return vip_answer(*result);
}

std::vector<const model::Node*> ClusterFacts::control_plane_answering_first() {
  std::vector<const model::Node*> nodes = cluster_.nodes_with_role(model::Role::kControlPlane);
  std::lock_guard lock(answering_mutex_);
  std::stable_partition(nodes.begin(), nodes.end(),
                        [&](const model::Node* node) { return node->name == answering_; });
  return nodes;
}

void ClusterFacts::answered_on(const std::string& node) {
  std::lock_guard lock(answering_mutex_);
  answering_ = node;
}

std::optional<std::string> ClusterFacts::etcdctl(const std::string& arguments) {
  for (const model::Node* node : control_plane_answering_first())
    if (auto out = etcdctl_on(*node, arguments)) {
      answered_on(node->name);
      return out;
    }
  return std::nullopt;
}

std::optional<std::string> ClusterFacts::etcdctl_on(const model::Node& node,
                                                    const std::string& arguments) {
  std::string endpoints;
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kEtcd))
    endpoints += (endpoints.empty() ? "" : ",") + client_url(*node);
  std::string command = fmt::format(
      "{} --dial-timeout=1s --command-timeout=2s --endpoints={} --cacert={} --cert={}.crt "
      "--key={}.key {}",
      layout::binary_path("etcdctl"), endpoints, layout::kEtcdCa, layout::kApiserverEtcdClient,
      layout::kApiserverEtcdClient, arguments);
  auto result = transport_.run(node.name, {.script = command, .timeout = timeout_});
  // etcdctl prints what it got and exits 1 when one endpoint fails: the answers still count.
  if (result && !result->out.empty()) return result->out;
  return std::nullopt;
}

std::string ClusterFacts::node_of_endpoint(const std::string& endpoint) const {
  for (const model::Node& node : cluster_.nodes)
    if (endpoint == client_url(node)) return node.name;
  return endpoint;
}

void parse_endpoint_status(const std::string& json_text,
                           const std::function<std::string(const std::string&)>& node_of,
                           EtcdStatus& status) {
  auto json = nlohmann::json::parse(json_text, nullptr, false);
  if (!json.is_array()) return;
  for (const auto& entry : json) {
    if (!entry.is_object()) continue;
    std::string node = node_of(entry.value("Endpoint", std::string{}));
    for (auto& member : status.members) {
      if (member.node != node) continue;
      member.answered = true;
      auto number = [&](const char* pointer) {
        const auto at = nlohmann::json::json_pointer(pointer);
        return entry.contains(at) && entry.at(at).is_number_unsigned()
                   ? entry.at(at).get<std::uint64_t>()
                   : std::uint64_t{0};
      };
      auto id = number("/Status/header/member_id");
      auto leader = number("/Status/leader");
      member.revision = number("/Status/header/revision");
      member.raft_term = number("/Status/raftTerm");
      member.raft_index = number("/Status/raftIndex");
      member.database_bytes = number("/Status/dbSize");
      const auto errors = nlohmann::json::json_pointer("/Status/errors");
      if (entry.contains(errors) && entry.at(errors).is_array())
        for (const auto& error : entry.at(errors))
          if (error.is_string()) member.errors.push_back(error.get<std::string>());
      member.member_id = id;
      member.leader = id != 0 && id == leader;
      if (member.leader) status.leader = node;
    }
  }
}

std::vector<std::string> parse_member_names(const std::string& json_text) {
  std::vector<std::string> names;
  auto json = nlohmann::json::parse(json_text, nullptr, false);
  if (!json.is_object() || !json.contains("members") || !json["members"].is_array()) return names;
  for (const auto& member : json["members"])
    if (member.is_object()) names.push_back(member.value("name", std::string{}));
  return names;
}

EtcdStatus ClusterFacts::etcd_status() {
  EtcdStatus empty;
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kEtcd))
    empty.members.push_back({.node = node->name});
  auto answered = [](const EtcdStatus& view) {
    return static_cast<std::size_t>(
        std::count_if(view.members.begin(), view.members.end(),
                      [](const auto& member) { return member.answered; }));
  };
  EtcdStatus best = empty;
  for (const model::Node* node : control_plane_answering_first()) {
    auto out = etcdctl_on(*node, "endpoint status -w json");
    if (!out) continue;
    EtcdStatus view = empty;
    parse_endpoint_status(
        *out, [this](const std::string& endpoint) { return node_of_endpoint(endpoint); }, view);
    if (answered(view) > answered(best)) best = std::move(view);
    if (2 * answered(best) > best.members.size()) {
      answered_on(node->name);
      break;
    }
  }
  return best;
}

EtcdStatus ClusterFacts::etcd_cluster() {
  // The three questions at once: one after the other they cost three SSH round trips and three
  // etcdctl starts, seconds on a loaded host.
  auto members = std::async(std::launch::async, [this] { return etcdctl("member list -w json"); });
  auto alarms = std::async(std::launch::async, [this] { return etcdctl("alarm list"); });
  EtcdStatus status = etcd_status();
  if (auto out = members.get()) status.listed = parse_member_names(*out);
  // "memberID:8211f1d0f64f3269 alarm:NOSPACE", one line per alarm.
  if (auto out = alarms.get()) {
    std::istringstream lines(*out);
    for (std::string line; std::getline(lines, line);)
      if (line.find("alarm:") != std::string::npos) status.alarms.push_back(line);
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

util::Status ClusterFacts::move_etcd_leader(const std::string& node,
                                            std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  EtcdStatus status = etcd_status();
  if (status.leader == node) return {};
  auto member = std::find_if(status.members.begin(), status.members.end(),
                             [&](const EtcdMemberStatus& member) { return member.node == node; });
  if (member == status.members.end() || member->member_id == 0)
    return util::fail(util::Error::unavailable(
        fmt::format("{}'s etcd member did not answer a status request", node)));
  // etcdctl takes the member's id in hexadecimal and finds the leader among the endpoints.
  std::string moved = etcdctl(fmt::format("move-leader {:x}", member->member_id)).value_or("");
  while (std::chrono::steady_clock::now() < deadline) {
    if (etcd_status().leader == node) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return util::fail(util::Error::unavailable(
      fmt::format("etcd's leadership did not move to {} within {} ms{}", node, limit.count(),
                  moved.empty() ? " (etcdctl move-leader printed nothing)" : ": " + moved)));
}

std::vector<std::string> ClusterFacts::ready_apiservers() {
  // The scheduler's kubeconfig names this node's own apiserver (render: controllers use the
  // local apiserver), so the answer is that apiserver's, not the endpoint's.
  return control_plane_nodes_where(
      fmt::format("{} --kubeconfig={}/scheduler.conf --request-timeout=2s get --raw /readyz",
                  layout::binary_path("kubectl"), layout::kKubeconfigDir),
      timeout_, [](const transport::CommandResult& result) {
        return result.exit_code == 0 && result.out == "ok";
      });
}

util::Result<TlsCredentials> ClusterFacts::etcd_client_credentials() {
  std::string why = "no control-plane node";
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane)) {
    TlsCredentials credentials;
    bool complete = true;
    for (auto [path, target] :
         {std::pair{std::string(layout::kEtcdCa), &credentials.ca_pem},
          std::pair{std::string(layout::kApiserverEtcdClient) + ".crt", &credentials.cert_pem},
          std::pair{std::string(layout::kApiserverEtcdClient) + ".key", &credentials.key_pem}}) {
      auto content = transport_.get_file(node->name, path);
      if (!content || !*content) {
        why = content ? fmt::format("{} has no {}", node->name, path)
                      : util::format_error(content.error());
        complete = false;
        break;
      }
      *target = std::move(**content);
    }
    if (complete) return credentials;
  }
  return util::fail(util::Error::failed_precondition(
      "cannot read etcd's client credentials from any control-plane host: " + why,
      "let apply finish (zerospof apply PLAN)"));
}

std::vector<ServerEndpoint> ClusterFacts::tunnels_to(model::Role role, int port,
                                                     std::vector<std::string>* unreachable) {
  std::vector<ServerEndpoint> endpoints;
  for (const model::Node* node : cluster_.nodes_with_role(role)) {
    auto socket = transport_.tunnel_to_loopback(node->name, port);
    if (!socket) {
      if (unreachable)
        unreachable->push_back(
            fmt::format("{}: {}", node->name, util::format_error(socket.error())));
      continue;
    }
    endpoints.push_back({.node = node->name,
                         .url = fmt::format("https://127.0.0.1:{}", port),
                         .unix_socket = *socket});
  }
  return endpoints;
}

std::vector<ServerEndpoint> ClusterFacts::etcd_endpoints(std::vector<std::string>* unreachable) {
  return tunnels_to(model::Role::kEtcd, layout::kEtcdClientPort, unreachable);
}

std::vector<ServerEndpoint> ClusterFacts::apiserver_endpoints(
    std::vector<std::string>* unreachable) {
  return tunnels_to(model::Role::kControlPlane, render::apiserver_port(cluster_), unreachable);
}

}  // namespace zerospof::observe
