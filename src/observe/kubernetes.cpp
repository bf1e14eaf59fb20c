#include "observe/kubernetes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace zerospof::observe {

namespace {

std::string register_body(const std::string& namespace_name, const std::string& name,
                          const std::string& value, const std::string& resource_version) {
  nlohmann::json body{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", {{"name", name}, {"namespace", namespace_name}}},
                      {"data", {{"value", value}}}};
  if (!resource_version.empty()) body["metadata"]["resourceVersion"] = resource_version;
  return body.dump();
}

}  // namespace

WriteResult classify_write(const HttpResponse& response) {
  if (response.ok()) return WriteResult::kWritten;
  if (response.status == 409) return WriteResult::kConflict;
  if (response.status >= 400 && response.status < 500) return WriteResult::kRejected;
  if (response.status == 0 && !response.maybe_sent) return WriteResult::kRejected;
  return WriteResult::kIndeterminate;
}

std::string KubernetesClient::config_map_url(const std::string& namespace_name,
                                             const std::string& name) const {
  return fmt::format("{}/api/v1/namespaces/{}/configmaps/{}", server_, namespace_name, name);
}

std::optional<ConfigMapRegister> KubernetesClient::read_register(const std::string& namespace_name,
                                                                 const std::string& name,
                                                                 std::chrono::milliseconds timeout,
                                                                 HttpResponse* response) {
  HttpResponse got = http_.send({.url = config_map_url(namespace_name, name), .timeout = timeout});
  if (response) *response = got;
  if (!got.ok()) return std::nullopt;
  auto json = nlohmann::json::parse(got.body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  ConfigMapRegister out;
  out.resource_version = json.value("/metadata/resourceVersion"_json_pointer, std::string{});
  out.value = json.value("/data/value"_json_pointer, std::string{});
  if (out.resource_version.empty()) return std::nullopt;
  return out;
}

WriteResult KubernetesClient::write_register(const std::string& namespace_name,
                                             const std::string& name, const std::string& value,
                                             const std::string& resource_version,
                                             std::chrono::milliseconds timeout,
                                             HttpResponse* response) {
  HttpResponse got =
      http_.send({.method = "PUT",
                  .url = config_map_url(namespace_name, name),
                  .body = register_body(namespace_name, name, value, resource_version),
                  .timeout = timeout});
  if (response) *response = got;
  return classify_write(got);
}

bool KubernetesClient::ensure_register(const std::string& namespace_name, const std::string& name,
                                       const std::string& value,
                                       std::chrono::milliseconds timeout) {
  HttpResponse created =
      http_.send({.method = "POST",
                  .url = fmt::format("{}/api/v1/namespaces/{}/configmaps", server_, namespace_name),
                  .body = register_body(namespace_name, name, value, ""),
                  .timeout = timeout});
  return created.ok() || created.status == 409;
}

bool KubernetesClient::delete_register(const std::string& namespace_name, const std::string& name,
                                       std::chrono::milliseconds timeout) {
  HttpResponse deleted = http_.send(
      {.method = "DELETE", .url = config_map_url(namespace_name, name), .timeout = timeout});
  return deleted.ok() || deleted.status == 404;
}

WatchResult KubernetesClient::watch_register(const std::string& namespace_name,
                                             const std::string& name,
                                             const std::string& resource_version,
                                             std::chrono::seconds window) {
  WatchResult out;
  out.response = http_.send(
      {.url = fmt::format("{}/api/v1/namespaces/{}/configmaps?watch=1&fieldSelector=metadata.name"
                          "%3D{}&resourceVersion={}&timeoutSeconds={}&allowWatchBookmarks=false",
                          server_, namespace_name, name, resource_version, window.count()),
       .timeout = window + std::chrono::seconds(3)});
  const std::string& body = out.response.body;
  // One JSON object per line; a last line without its newline was cut short.
  for (std::size_t start = 0, end; (end = body.find('\n', start)) != std::string::npos;
       start = end + 1) {
    auto event = nlohmann::json::parse(body.substr(start, end - start), nullptr, false);
    if (!event.is_object() || !event.contains("object")) continue;
    std::string type = event.value("type", std::string{});
    if (type == "ERROR") {
      out.expired = out.expired || event["object"].value("code", 0) == 410;
      continue;
    }
    out.events.push_back({.type = type,
                          .resource_version = event.value(
                              "/object/metadata/resourceVersion"_json_pointer, std::string{}),
                          .value = event.value("/object/data/value"_json_pointer, std::string{})});
  }
  // A watch from a version already compacted is refused before it starts.
  if (out.response.status == 410) out.expired = true;
  out.ended_cleanly = out.response.ok() && !out.expired;
  return out;
}

std::optional<std::string> KubernetesClient::lease_holder(const std::string& namespace_name,
                                                          const std::string& name,
                                                          std::chrono::milliseconds timeout) {
  HttpResponse got =
      http_.send({.url = fmt::format("{}/apis/coordination.k8s.io/v1/namespaces/{}/leases/{}",
                                     server_, namespace_name, name),
                  .timeout = timeout});
  if (!got.ok()) return std::nullopt;
  auto json = nlohmann::json::parse(got.body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json.value("/spec/holderIdentity"_json_pointer, std::string{});
}

bool KubernetesClient::ready(std::chrono::milliseconds timeout) {
  HttpResponse got = http_.send({.url = server_ + "/readyz", .timeout = timeout});
  return got.ok() && got.body == "ok";
}

bool KubernetesClient::create_object(const std::string& path, const std::string& body,
                                     std::chrono::milliseconds timeout) {
  HttpResponse created =
      http_.send({.method = "POST", .url = server_ + path, .body = body, .timeout = timeout});
  return created.ok() || created.status == 409;
}

bool KubernetesClient::delete_object(const std::string& path, std::chrono::milliseconds timeout) {
  HttpResponse deleted =
      http_.send({.method = "DELETE", .url = server_ + path, .timeout = timeout});
  return deleted.ok() || deleted.status == 404;
}

namespace {

bool condition_true(const nlohmann::json& object, const std::string& type) {
  const auto conditions = "/status/conditions"_json_pointer;
  if (!object.contains(conditions) || !object.at(conditions).is_array()) return false;
  for (const auto& condition : object.at(conditions))
    if (condition.is_object() && condition.value("type", "") == type)
      return condition.value("status", "") == "True";
  return false;
}

bool has_eviction_taint(const nlohmann::json& node) {
  const auto taints = "/spec/taints"_json_pointer;
  if (!node.contains(taints) || !node.at(taints).is_array()) return false;
  for (const auto& taint : node.at(taints)) {
    if (!taint.is_object() || taint.value("effect", "") != "NoExecute") continue;
    const std::string key = taint.value("key", "");
    if (key == "node.kubernetes.io/unreachable" || key == "node.kubernetes.io/not-ready")
      return true;
  }
  return false;
}

// The items of a list's answer (every one an object); nullopt for a failed request or a body that
// is not a list.
std::optional<std::vector<nlohmann::json>> list_items(const HttpResponse& got) {
  if (!got.ok()) return std::nullopt;
  auto json = nlohmann::json::parse(got.body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("items") ||
      !json["items"].is_array())
    return std::nullopt;
  std::vector<nlohmann::json> items;
  for (auto& item : json["items"])
    if (item.is_object()) items.push_back(std::move(item));
  return items;
}

}  // namespace

std::optional<std::vector<PodState>> KubernetesClient::pods(const std::string& namespace_name,
                                                            const std::string& label_selector,
                                                            std::chrono::milliseconds timeout) {
  HttpResponse got = http_.send({.url = fmt::format("{}/api/v1/namespaces/{}/pods?labelSelector={}",
                                                    server_, namespace_name, label_selector),
                                 .timeout = timeout});
  auto items = list_items(got);
  if (!items) return std::nullopt;
  std::vector<PodState> out;
  for (const auto& item : *items) {
    out.push_back({.name = item.value("/metadata/name"_json_pointer, std::string{}),
                   .node = item.value("/spec/nodeName"_json_pointer, std::string{}),
                   .ready = condition_true(item, "Ready"),
                   .deleting = item.contains("/metadata/deletionTimestamp"_json_pointer)});
  }
  return out;
}

std::optional<std::vector<NodeState>> KubernetesClient::nodes(std::chrono::milliseconds timeout) {
  HttpResponse got = http_.send({.url = server_ + "/api/v1/nodes", .timeout = timeout});
  auto items = list_items(got);
  if (!items) return std::nullopt;
  std::vector<NodeState> out;
  for (const auto& item : *items) {
    const auto runtime = "/status/nodeInfo/containerRuntimeVersion"_json_pointer;
    out.push_back({.name = item.value("/metadata/name"_json_pointer, std::string{}),
                   .ready = condition_true(item, "Ready"),
                   .container_runtime = item.contains(runtime) && item.at(runtime).is_string()
                                            ? item.at(runtime).get<std::string>()
                                            : std::string{},
                   .tainted_for_eviction = has_eviction_taint(item)});
  }
  return out;
}

std::optional<std::string> KubernetesClient::service_cluster_ip(const std::string& namespace_name,
                                                                const std::string& name,
                                                                std::chrono::milliseconds timeout) {
  HttpResponse got = http_.send(
      {.url = fmt::format("{}/api/v1/namespaces/{}/services/{}", server_, namespace_name, name),
       .timeout = timeout});
  if (!got.ok()) return std::nullopt;
  auto json = nlohmann::json::parse(got.body, nullptr, false);
  const auto address = "/spec/clusterIP"_json_pointer;
  if (json.is_discarded() || !json.is_object() || !json.contains(address) ||
      !json.at(address).is_string())
    return std::nullopt;
  std::string ip = json.at(address).get<std::string>();
  if (ip.empty() || ip == "None") return std::nullopt;
  return ip;
}

}  // namespace zerospof::observe
