#include "observe/api_state.h"

#include <fmt/format.h>

#include <ctime>
#include <future>
#include <nlohmann/json.hpp>

namespace zerospof::observe {

namespace {

using nlohmann::json;

std::optional<json> object_of(const std::string& text) {
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

std::string text_at(const json& object, const char* pointer) {
  const auto at = json::json_pointer(pointer);
  if (!object.contains(at) || !object.at(at).is_string()) return {};
  return object.at(at).get<std::string>();
}

int int_at(const json& object, const char* pointer) {
  const auto at = json::json_pointer(pointer);
  if (!object.contains(at) || !object.at(at).is_number_integer()) return 0;
  return object.at(at).get<int>();
}

std::map<std::string, std::string> labels_at(const json& object, const char* pointer) {
  std::map<std::string, std::string> labels;
  const auto at = json::json_pointer(pointer);
  if (!object.contains(at) || !object.at(at).is_object()) return labels;
  for (const auto& [key, value] : object.at(at).items())
    if (value.is_string()) labels[key] = value.get<std::string>();
  return labels;
}

// The status of the condition `type` in status.conditions, "" when absent.
std::string condition(const json& object, const std::string& type) {
  const auto at = json::json_pointer("/status/conditions");
  if (!object.contains(at) || !object.at(at).is_array()) return {};
  for (const auto& entry : object.at(at))
    if (entry.is_object() && entry.value("type", "") == type) return entry.value("status", "");
  return {};
}

// RFC 3339 as the API writes it (2026-12-04T05:20:01.123456Z), in seconds since the epoch.
std::optional<double> parse_time(const std::string& text) {
  std::tm parts{};
  int fraction_digits = 0;
  long fraction = 0;
  char zone = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec) != 6)
    return std::nullopt;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      if (fraction_digits < 6) {
        fraction = fraction * 10 + (text[at] - '0');
        ++fraction_digits;
      }
    }
  }
  zone = at < text.size() ? text[at] : 0;
  if (zone != 'Z') return std::nullopt;  // the API writes UTC only
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  double seconds = static_cast<double>(timegm(&parts));
  double scale = 1;
  for (int i = 0; i < fraction_digits; ++i) scale *= 10;
  return seconds + static_cast<double>(fraction) / scale;
}

// GET every page of `path`; nullopt and `error` set when a page did not come.
std::optional<std::vector<std::string>> list_all(HttpClient& http, const std::string& server,
                                                 const std::string& path,
                                                 std::chrono::milliseconds timeout,
                                                 std::string& error) {
  std::vector<std::string> items;
  std::string next;
  for (int page = 0; page < 10000; ++page) {  // bounded: 5 million objects
    std::string url = fmt::format("{}{}?limit=500", server, path);
    if (!next.empty()) url += "&continue=" + next;  // the token is URL-safe base64
    HttpResponse got = http.send({.url = url, .timeout = timeout});
    // A transfer cut short (a drill saw "Transferred a partial file" while an etcd member
    // stopped and HAProxy moved the connection) is asked once more before the API is called
    // unreachable: one broken connection is not an endpoint down. A list is a read; asking again
    // changes nothing.
    if (got.status == 0) got = http.send({.url = url, .timeout = timeout});
    if (got.status == 401) {
      error = fmt::format("the API at {} refused the credentials (401 Unauthorized)", server);
      return std::nullopt;
    }
    if (got.status == 403) {
      error =
          fmt::format("the API at {} forbids listing {} to these credentials (403)", server, path);
      return std::nullopt;
    }
    if (got.status == 0) {
      error = fmt::format("the API at {} did not answer: {}", server, got.error);
      return std::nullopt;
    }
    auto parsed = got.ok() ? parse_page(got.body) : std::nullopt;
    if (!parsed) {
      error = fmt::format("the API at {} answered {} with status {}", server, path, got.status);
      return std::nullopt;
    }
    for (auto& item : parsed->items) items.push_back(std::move(item));
    if (parsed->next.empty()) return items;
    next = parsed->next;
  }
  error = fmt::format("the API at {} kept paging {}", server, path);
  return std::nullopt;
}

}  // namespace

std::optional<Page> parse_page(const std::string& body) {
  auto object = object_of(body);
  if (!object || !object->contains("items") || !(*object)["items"].is_array()) return std::nullopt;
  Page page;
  for (const auto& item : (*object)["items"]) page.items.push_back(item.dump());
  page.next = text_at(*object, "/metadata/continue");
  return page;
}

std::optional<LiveNode> parse_node(const std::string& item) {
  auto object = object_of(item);
  if (!object) return std::nullopt;
  return LiveNode{.name = text_at(*object, "/metadata/name"), .ready = condition(*object, "Ready")};
}

std::optional<LivePod> parse_pod(const std::string& item) {
  auto object = object_of(item);
  if (!object) return std::nullopt;
  return LivePod{.namespace_name = text_at(*object, "/metadata/namespace"),
                 .name = text_at(*object, "/metadata/name"),
                 .node = text_at(*object, "/spec/nodeName"),
                 .phase = text_at(*object, "/status/phase"),
                 .ready = condition(*object, "Ready") == "True",
                 .labels = labels_at(*object, "/metadata/labels")};
}

std::optional<LiveWorkload> parse_workload(const std::string& kind, const std::string& item) {
  auto object = object_of(item);
  if (!object) return std::nullopt;
  LiveWorkload workload{.kind = kind,
                        .namespace_name = text_at(*object, "/metadata/namespace"),
                        .name = text_at(*object, "/metadata/name"),
                        .selector = labels_at(*object, "/spec/selector/matchLabels")};
  if (kind == "DaemonSet") {
    workload.desired = int_at(*object, "/status/desiredNumberScheduled");
    workload.ready = int_at(*object, "/status/numberReady");
  } else {
    // An unset spec.replicas means one.
    workload.desired = object->contains(json::json_pointer("/spec/replicas"))
                           ? int_at(*object, "/spec/replicas")
                           : 1;
    workload.ready = int_at(*object, "/status/readyReplicas");
  }
  return workload;
}

std::optional<LivePdb> parse_pdb(const std::string& item) {
  auto object = object_of(item);
  if (!object) return std::nullopt;
  return LivePdb{.namespace_name = text_at(*object, "/metadata/namespace"),
                 .name = text_at(*object, "/metadata/name"),
                 .disruptions_allowed = int_at(*object, "/status/disruptionsAllowed"),
                 .expected = int_at(*object, "/status/expectedPods")};
}

std::optional<LiveLease> parse_lease(const std::string& item, double now) {
  auto object = object_of(item);
  if (!object) return std::nullopt;
  LiveLease lease{.namespace_name = text_at(*object, "/metadata/namespace"),
                  .name = text_at(*object, "/metadata/name"),
                  .holder = text_at(*object, "/spec/holderIdentity"),
                  .duration_seconds = int_at(*object, "/spec/leaseDurationSeconds")};
  if (auto renewed = parse_time(text_at(*object, "/spec/renewTime")))
    lease.renewed_seconds_ago = now - *renewed;
  return lease;
}

std::optional<LiveAttachment> parse_attachment(const std::string& item) {
  auto object = object_of(item);
  if (!object) return std::nullopt;
  const auto attached = json::json_pointer("/status/attached");
  return LiveAttachment{.name = text_at(*object, "/metadata/name"),
                        .attacher = text_at(*object, "/spec/attacher"),
                        .node = text_at(*object, "/spec/nodeName"),
                        .persistent_volume = text_at(*object, "/spec/source/persistentVolumeName"),
                        .attached = object->contains(attached) &&
                                    object->at(attached).is_boolean() &&
                                    object->at(attached).get<bool>()};
}

void name_claims(std::vector<LiveAttachment>& attachments,
                 const std::vector<std::string>& persistent_volumes) {
  std::map<std::string, std::string> claim_of;
  for (const auto& item : persistent_volumes) {
    auto object = object_of(item);
    if (!object) continue;
    std::string claim = text_at(*object, "/spec/claimRef/name");
    if (!claim.empty())
      claim_of[text_at(*object, "/metadata/name")] =
          text_at(*object, "/spec/claimRef/namespace") + "/" + claim;
  }
  for (auto& attachment : attachments)
    if (auto found = claim_of.find(attachment.persistent_volume); found != claim_of.end())
      attachment.claim = found->second;
}

std::optional<std::string> as_manifest(const std::string& item, const std::string& kind,
                                       const std::string& api_version) {
  auto object = object_of(item);
  if (!object) return std::nullopt;
  (*object)["kind"] = kind;
  (*object)["apiVersion"] = api_version;
  object->erase("status");
  if (object->contains("metadata") && (*object)["metadata"].is_object())
    (*object)["metadata"].erase("managedFields");
  return object->dump();
}

void place_pods(std::vector<LiveWorkload>& workloads, const std::vector<LivePod>& pods) {
  for (auto& workload : workloads) {
    workload.ready_on.clear();
    if (workload.selector.empty()) continue;  // matchExpressions only: not matched here
    for (const auto& pod : pods) {
      if (pod.namespace_name != workload.namespace_name || !pod.ready || pod.node.empty()) continue;
      bool matches = true;
      for (const auto& [key, value] : workload.selector) {
        auto found = pod.labels.find(key);
        matches = matches && found != pod.labels.end() && found->second == value;
      }
      if (matches) ++workload.ready_on[pod.node];
    }
  }
}

ApiState observe_api(HttpClient& http, const std::string& server,
                     std::chrono::milliseconds timeout) {
  struct Listed {
    std::optional<std::vector<std::string>> items;
    std::string error;
    double at = 0;  // wall-clock seconds when the list came
  };
  // Every list is asked at once: one after the other, fourteen lists took 2.5-4.4 s through an
  // endpoint busy with a drill's probes; at once, about the slowest one.
  auto ask = [&](const char* path) {
    return std::async(std::launch::async, [&http, &server, timeout, path] {
      Listed listed;
      listed.items = list_all(http, server, path, timeout, listed.error);
      listed.at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                      .count();
      return listed;
    });
  };
  // What status cannot do without: a failure here is the API's failure.
  auto nodes_asked = ask("/api/v1/nodes");
  auto pods_asked = ask("/api/v1/pods");
  auto deployments_asked = ask("/apis/apps/v1/deployments");
  auto statefulsets_asked = ask("/apis/apps/v1/statefulsets");
  auto daemonsets_asked = ask("/apis/apps/v1/daemonsets");
  auto leases_asked = ask("/apis/coordination.k8s.io/v1/leases");
  // What only audit's analysis reads: a list these credentials may not read (403) or that fails
  // is said in `partial`, and the rest is still used.
  auto budgets_asked = ask("/apis/policy/v1/poddisruptionbudgets");
  auto services_asked = ask("/api/v1/services");
  auto validating_asked =
      ask("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations");
  auto mutating_asked = ask("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations");
  auto volumes_asked = ask("/api/v1/persistentvolumes");
  auto claims_asked = ask("/api/v1/persistentvolumeclaims");
  auto storage_classes_asked = ask("/apis/storage.k8s.io/v1/storageclasses");
  auto attachments_asked = ask("/apis/storage.k8s.io/v1/volumeattachments");

  ApiState state;
  auto required = [&](std::future<Listed>& asked) {
    Listed listed = asked.get();
    if (!listed.items && state.error.empty()) state.error = listed.error;
    return listed;
  };
  auto optional_list = [&](std::future<Listed>& asked) {
    Listed listed = asked.get();
    if (!listed.items) state.partial.push_back(listed.error);
    return listed.items.value_or(std::vector<std::string>{});
  };
  Listed nodes = required(nodes_asked), pods = required(pods_asked),
         deployments = required(deployments_asked), statefulsets = required(statefulsets_asked),
         daemonsets = required(daemonsets_asked), leases = required(leases_asked);
  auto budgets = optional_list(budgets_asked);
  auto services = optional_list(services_asked);
  auto validating = optional_list(validating_asked);
  auto mutating = optional_list(mutating_asked);
  auto volumes = optional_list(volumes_asked);
  auto claims = optional_list(claims_asked);
  auto storage_classes = optional_list(storage_classes_asked);
  auto attachments = optional_list(attachments_asked);
  if (!state.error.empty()) {
    state.partial.clear();
    return state;
  }
  state.reachable = true;
  for (const auto& item : *nodes.items)
    if (auto node = parse_node(item)) state.nodes.push_back(std::move(*node));
  for (const auto& item : *pods.items)
    if (auto pod = parse_pod(item)) state.pods.push_back(std::move(*pod));
  for (const auto& [kind, items] :
       {std::pair{"Deployment", &*deployments.items},
        std::pair{"StatefulSet", &*statefulsets.items}, std::pair{"DaemonSet", &*daemonsets.items}})
    for (const auto& item : *items)
      if (auto workload = parse_workload(kind, item))
        state.workloads.push_back(std::move(*workload));
  for (const auto& item : budgets)
    if (auto budget = parse_pdb(item)) state.budgets.push_back(std::move(*budget));
  // Renewal ages count from when the leases came, not from when every list is in.
  for (const auto& item : *leases.items)
    if (auto lease = parse_lease(item, leases.at)) state.leases.push_back(std::move(*lease));
  for (const auto& item : attachments)
    if (auto attachment = parse_attachment(item))
      state.attachments.push_back(std::move(*attachment));
  name_claims(state.attachments, volumes);
  struct Kind {
    const char* kind;
    const char* api_version;
    const std::vector<std::string>* items;
  };
  for (const Kind& kind :
       {Kind{"Deployment", "apps/v1", &*deployments.items},
        Kind{"StatefulSet", "apps/v1", &*statefulsets.items},
        Kind{"DaemonSet", "apps/v1", &*daemonsets.items},
        Kind{"PodDisruptionBudget", "policy/v1", &budgets}, Kind{"Service", "v1", &services},
        Kind{"ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", &validating},
        Kind{"MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1", &mutating},
        Kind{"PersistentVolume", "v1", &volumes}, Kind{"PersistentVolumeClaim", "v1", &claims},
        Kind{"StorageClass", "storage.k8s.io/v1", &storage_classes}})
    for (const auto& item : *kind.items)
      if (auto manifest = as_manifest(item, kind.kind, kind.api_version))
        state.objects.push_back(std::move(*manifest));
  place_pods(state.workloads, state.pods);
  return state;
}

}  // namespace zerospof::observe
