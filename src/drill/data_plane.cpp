#include "drill/data_plane.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "model/pinned_versions.h"
#include "observe/dns.h"

namespace zerospof::drill {
namespace {

constexpr int kEchoPort = 8080;
constexpr int kDnsPort = 53;
constexpr int kWorkloadClientPort = 2379;
constexpr int kWorkloadPeerPort = 2380;
// The cluster domain render gives every kubelet (node_agent.cpp).
constexpr const char* kClusterDomain = "cluster.local";

using nlohmann::json;

json labels_of(const std::string& name) { return {{"app.kubernetes.io/name", name}}; }

json metadata(const std::string& name, const std::string& namespace_name) {
  return {{"name", name}, {"namespace", namespace_name}, {"labels", labels_of(name)}};
}

json service(const std::string& name, const std::string& namespace_name,
             const std::string& selected, json ports, bool headless) {
  json spec{{"selector", labels_of(selected)}, {"ports", std::move(ports)}};
  if (headless) {
    spec["clusterIP"] = "None";
    // The members find each other by name before any is ready.
    spec["publishNotReadyAddresses"] = true;
  }
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", metadata(name, namespace_name)},
          {"spec", std::move(spec)}};
}

// The pods of `name`: one question to the API.
std::optional<std::vector<observe::PodState>> pods_of(observe::KubernetesClient& api,
                                                      const DataPlaneOptions& options,
                                                      const std::string& name) {
  return api.pods(options.namespace_name, "app.kubernetes.io/name=" + name, options.timeout);
}

// Round robin over `sockets` from many threads at once.
class Turns {
 public:
  explicit Turns(std::vector<std::string> sockets) : sockets_(std::move(sockets)) {}
  const std::string* next() {
    if (sockets_.empty()) return nullptr;
    return &sockets_[next_++ % sockets_.size()];
  }

 private:
  const std::vector<std::string> sockets_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace

std::optional<bool> real_pods_run(observe::KubernetesClient& api,
                                  std::chrono::milliseconds timeout) {
  auto nodes = api.nodes(timeout);
  if (!nodes) return std::nullopt;
  return !nodes->empty() &&
         std::all_of(nodes->begin(), nodes->end(), [](const observe::NodeState& node) {
           // kwok's nodes report "kwok-<its version>" (render/kwok_stages.cpp).
           return !node.container_runtime.empty() && !node.container_runtime.starts_with("kwok");
         });
}

std::vector<std::string> workload_nodes(const model::Cluster& cluster) {
  std::vector<std::string> chosen;
  for (bool control_plane : {false, true})
    for (const model::Node& node : cluster.nodes)
      if (chosen.size() < 3 && node.has_role(model::Role::kWorker) &&
          node.has_role(model::Role::kControlPlane) == control_plane)
        chosen.push_back(node.name);
  return chosen;
}

DataPlane::DataPlane(const model::Cluster& cluster, transport::Transport& transport,
                     observe::KubernetesClient& api, DataPlaneOptions options)
    : cluster_(cluster),
      transport_(transport),
      api_(api),
      options_(std::move(options)),
      workload_nodes_(workload_nodes(cluster)),
      http_(std::make_unique<observe::CurlHttpClient>(observe::CurlHttpClient::without_tls())) {}

DataPlane::~DataPlane() = default;

std::string DataPlane::echo_host() const {
  return fmt::format("{}.{}.svc.{}", options_.echo, options_.namespace_name, kClusterDomain);
}

std::vector<std::pair<std::string, std::string>> DataPlane::objects() const {
  const std::string& space = options_.namespace_name;
  const std::string core = fmt::format("/api/v1/namespaces/{}/services", space);
  const std::string apps = fmt::format("/apis/apps/v1/namespaces/{}/", space);
  std::vector<std::pair<std::string, std::string>> out;
  json probe{{"httpGet", {{"path", "/healthz"}, {"port", kEchoPort}}}, {"periodSeconds", 1}};
  // Spread softly: a hard constraint would count a dead node's pod and could keep its
  // replacement from being scheduled.
  json spread{{"maxSkew", 1},
              {"topologyKey", "kubernetes.io/hostname"},
              {"whenUnsatisfiable", "ScheduleAnyway"},
              {"labelSelector", {{"matchLabels", labels_of(options_.echo)}}}};
  json echo{{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", metadata(options_.echo, space)},
            {"spec",
             {{"replicas", options_.echo_replicas},
              {"selector", {{"matchLabels", labels_of(options_.echo)}}},
              {"template",
               {{"metadata", {{"labels", labels_of(options_.echo)}}},
                {"spec",
                 {{"automountServiceAccountToken", false},
                  {"topologySpreadConstraints", json::array({spread})},
                  {"containers",
                   json::array({{{"name", "netexec"},
                                 {"image", std::string(model::pinned::kAgnhostImage)},
                                 {"args", {"netexec", fmt::format("--http-port={}", kEchoPort)}},
                                 {"readinessProbe", probe}}})}}}}}}}};
  out.emplace_back(core,
                   service(options_.echo, space, options_.echo,
                           json::array({{{"port", kEchoPort}, {"targetPort", kEchoPort}}}), false)
                       .dump());
  out.emplace_back(apps + "deployments", echo.dump());
  if (!has_workload()) return out;

  const std::string& name = options_.workload;
  std::string cluster_members;
  for (int member = 0; member < 3; ++member)
    cluster_members +=
        fmt::format("{}{}-{}=http://{}-{}.{}.{}.svc.{}:{}", member ? "," : "", name, member, name,
                    member, name, space, kClusterDomain, kWorkloadPeerPort);
  const std::string self = fmt::format("$(POD_NAME).{}.{}.svc.{}", name, space, kClusterDomain);
  json member_container{
      {"name", "etcd"},
      {"image", std::string(model::pinned::kEtcdImage)},
      {"command", {"/usr/local/bin/etcd"}},
      {"env", json::array({{{"name", "POD_NAME"},
                            {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}}})},
      {"args",
       {"--name=$(POD_NAME)", "--data-dir=/var/lib/etcd/data",
        fmt::format("--listen-peer-urls=http://0.0.0.0:{}", kWorkloadPeerPort),
        fmt::format("--listen-client-urls=http://0.0.0.0:{}", kWorkloadClientPort),
        fmt::format("--initial-advertise-peer-urls=http://{}:{}", self, kWorkloadPeerPort),
        fmt::format("--advertise-client-urls=http://{}:{}", self, kWorkloadClientPort),
        "--initial-cluster=" + cluster_members, "--initial-cluster-state=new",
        "--initial-cluster-token=" + name}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/health"}, {"port", kWorkloadClientPort}}}, {"periodSeconds", 2}}},
      {"volumeMounts", json::array({{{"name", "data"}, {"mountPath", "/var/lib/etcd"}}})}};
  // Each member on one of three given nodes, never two on one: a member whose node comes back
  // returns to it and to its data (anywhere else it would start empty, and etcd refuses a member
  // that lost its log).
  json affinity{
      {"nodeAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution",
         {{"nodeSelectorTerms",
           json::array({{{"matchExpressions", json::array({{{"key", "kubernetes.io/hostname"},
                                                            {"operator", "In"},
                                                            {"values", workload_nodes_}}})}}})}}}}},
      {"podAntiAffinity",
       {{"requiredDuringSchedulingIgnoredDuringExecution",
         json::array({{{"topologyKey", "kubernetes.io/hostname"},
                       {"labelSelector", {{"matchLabels", labels_of(name)}}}}})}}}};
  json statefulset{{"apiVersion", "apps/v1"},
                   {"kind", "StatefulSet"},
                   {"metadata", metadata(name, space)},
                   {"spec",
                    {{"serviceName", name},
                     {"replicas", 3},
                     {"podManagementPolicy", "Parallel"},
                     {"selector", {{"matchLabels", labels_of(name)}}},
                     {"template",
                      {{"metadata", {{"labels", labels_of(name)}}},
                       {"spec",
                        {{"automountServiceAccountToken", false},
                         {"affinity", affinity},
                         {"containers", json::array({member_container})},
                         {"volumes", json::array({{{"name", "data"},
                                                   {"hostPath",
                                                    {{"path", options_.workload_directory},
                                                     {"type", "DirectoryOrCreate"}}}}})}}}}}}}};
  out.emplace_back(core,
                   service(name, space, name,
                           json::array({{{"name", "peer"}, {"port", kWorkloadPeerPort}}}), true)
                       .dump());
  out.emplace_back(
      core,
      service(name + "-client", space, name,
              json::array({{{"port", kWorkloadClientPort}, {"targetPort", kWorkloadClientPort}}}),
              false)
          .dump());
  out.emplace_back(apps + "statefulsets", statefulset.dump());
  return out;
}

util::Status DataPlane::remove_earlier(std::chrono::seconds limit,
                                       const std::function<bool()>& stop_requested) {
  const std::string& space = options_.namespace_name;
  for (const std::string& path :
       {fmt::format("/apis/apps/v1/namespaces/{}/deployments/{}", space, options_.echo),
        fmt::format("/apis/apps/v1/namespaces/{}/statefulsets/{}", space, options_.workload),
        fmt::format("/api/v1/namespaces/{}/services/{}", space, options_.echo),
        fmt::format("/api/v1/namespaces/{}/services/{}", space, options_.workload),
        fmt::format("/api/v1/namespaces/{}/services/{}-client", space, options_.workload)})
    if (!api_.delete_object(path, options_.timeout))
      return util::fail(util::Error::unavailable("could not delete " + path));
  // The members' data goes only once no member runs on it.
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    auto echo = pods_of(api_, options_, options_.echo);
    auto members = pods_of(api_, options_, options_.workload);
    if (echo && members && echo->empty() && members->empty()) break;
    if (stop_requested())
      return util::fail(util::Error::unavailable(fmt::format(
          "the drill was stopped while the pods of an earlier drill's {} and {} went away",
          options_.echo, options_.workload)));
    if (std::chrono::steady_clock::now() > deadline)
      return util::fail(util::Error::unavailable(
          fmt::format("the pods of an earlier drill's {} and {} were still there after {} s",
                      options_.echo, options_.workload, limit.count())));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (const std::string& node : workload_nodes_) {
    auto removed = transport::run_checked(
        transport_, node,
        {.script = "rm -rf -- " + transport::shell_quote(options_.workload_directory),
         .timeout = std::chrono::seconds(30)});
    if (!removed)
      return util::fail(util::Error::unavailable(fmt::format("{}: cannot remove {}: {}", node,
                                                             options_.workload_directory,
                                                             util::format_error(removed.error()))));
  }
  return {};
}

util::Status DataPlane::deploy(const std::function<bool()>& stop_requested) {
  ZEROSPOF_RETURN_IF_ERROR(remove_earlier(options_.ready_limit, stop_requested));
  if (stop_requested())
    return util::fail(util::Error::unavailable("the drill was stopped before they were created"));
  for (const auto& [collection, body] : objects())
    if (!api_.create_object(collection, body, options_.timeout))
      return util::fail(util::Error::unavailable("could not create an object in " + collection));
  auto address_of = [&](const std::string& namespace_name, const std::string& name) {
    return api_.service_cluster_ip(namespace_name, name, options_.timeout).value_or("");
  };
  dns_address_ = address_of("kube-system", "kube-dns");
  echo_address_ = address_of(options_.namespace_name, options_.echo);
  if (has_workload())
    workload_address_ = address_of(options_.namespace_name, options_.workload + "-client");
  if (dns_address_.empty() || echo_address_.empty() ||
      (has_workload() && workload_address_.empty()))
    return util::fail(util::Error::unavailable(
        "the cluster IPs of kube-system/kube-dns and the drill's Services could not be read"));
  std::vector<std::string> left = wait_ready(options_.ready_limit, stop_requested);
  if (!left.empty() && stop_requested())
    return util::fail(util::Error::unavailable(
        fmt::format("the drill was stopped before they were ready: {}", fmt::join(left, "; "))));
  if (!left.empty())
    return util::fail(util::Error::unavailable(fmt::format(
        "not ready within {} s: {}", options_.ready_limit.count(), fmt::join(left, "; "))));
  return {};
}

std::vector<std::string> DataPlane::problems() {
  std::vector<std::string> out;
  auto count_ready = [&](const std::string& name, int wanted) {
    auto pods = pods_of(api_, options_, name);
    if (!pods) {
      out.push_back("the pods of " + name + " could not be listed");
      return;
    }
    auto ready = std::count_if(pods->begin(), pods->end(), [](const observe::PodState& pod) {
      return pod.ready && !pod.deleting;
    });
    if (ready < wanted) out.push_back(fmt::format("{} of {} {} ready", ready, wanted, name));
  };
  count_ready(options_.echo, options_.echo_replicas);
  if (has_workload()) count_ready(options_.workload, 3);
  return out;
}

std::vector<std::string> DataPlane::wait_ready(std::chrono::seconds limit,
                                               const std::function<bool()>& stop_requested) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::vector<std::string> left = problems();
  while (!left.empty() && std::chrono::steady_clock::now() < deadline && !stop_requested()) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    left = problems();
  }
  return left;
}

std::vector<std::string> DataPlane::tunnels(const std::vector<std::string>& client_nodes,
                                            const std::string& address, int port) {
  std::vector<std::string> sockets;
  auto parsed = model::IpAddress::parse(address);
  if (!parsed) return sockets;
  for (const std::string& node : client_nodes)
    if (auto socket = transport_.tunnel(node, *parsed, port)) sockets.push_back(*socket);
  return sockets;
}

std::vector<HealthLane> DataPlane::lanes(const std::vector<std::string>& client_nodes) {
  auto dns_turns = std::make_shared<Turns>(tunnels(client_nodes, dns_address_, kDnsPort));
  auto echo_turns = std::make_shared<Turns>(tunnels(client_nodes, echo_address_, kEchoPort));
  HealthLane dns{.name = kDnsLane,
                 .judged = true,
                 .check = [dns_turns, host = echo_host(), expected = echo_address_](
                              std::chrono::milliseconds timeout, std::string* cause) {
                   const std::string* socket = dns_turns->next();
                   if (!socket) {
                     *cause = "no node to ask through";
                     return false;
                   }
                   auto answer = observe::resolve_through(*socket, host, timeout);
                   if (!answer) {
                     *cause = answer.error().message;
                     return false;
                   }
                   if (answer->response_code != 0) {
                     *cause = observe::dns_response_code_name(answer->response_code);
                     return false;
                   }
                   bool right = std::any_of(
                       answer->addresses.begin(), answer->addresses.end(),
                       [&](const model::IpAddress& a) { return a.to_string() == expected; });
                   *cause = right ? "" : "another address";
                   return right;
                 }};
  HealthLane echo{.name = kServiceLane,
                  .judged = true,
                  .check = [echo_turns, &http = *http_,
                            url = fmt::format("http://{}:{}/hostname", echo_address_, kEchoPort),
                            prefix = options_.echo + "-"](std::chrono::milliseconds timeout,
                                                          std::string* cause) {
                    const std::string* socket = echo_turns->next();
                    if (!socket) {
                      *cause = "no node to ask through";
                      return false;
                    }
                    observe::HttpResponse response =
                        http.send({.url = url, .timeout = timeout, .unix_socket = *socket});
                    bool answered = response.ok() && response.body.starts_with(prefix);
                    *cause = answered        ? ""
                             : response.ok() ? "answered by another"
                                             : observe::failure_cause(response);
                    return answered;
                  }};
  return {std::move(dns), std::move(echo)};
}

std::vector<observe::ServerEndpoint> DataPlane::workload_endpoints(
    const std::vector<std::string>& client_nodes) {
  std::vector<observe::ServerEndpoint> out;
  if (!has_workload()) return out;
  auto parsed = model::IpAddress::parse(workload_address_);
  if (!parsed) return out;
  for (const std::string& node : client_nodes)
    if (auto socket = transport_.tunnel(node, *parsed, kWorkloadClientPort))
      out.push_back({.node = node,
                     .url = fmt::format("http://{}:{}", workload_address_, kWorkloadClientPort),
                     .unix_socket = *socket});
  return out;
}

// Waits for the pods to go even after a stop: their data goes only once they have.
void DataPlane::cleanup() {
  (void)remove_earlier(std::chrono::seconds(120), [] { return false; });
}

}  // namespace zerospof::drill
