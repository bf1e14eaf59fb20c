// The few Kubernetes API calls zerospof makes itself, over an HttpClient: a ConfigMap used as a
// register (read; write with a resourceVersion precondition, which is a compare-and-set), a
// lease's holder, /readyz, a probe Deployment's pods and whether a node is Ready. Responses are
// parsed into typed values; nothing here retries, so a probe sees every failure as it happened.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "observe/http.h"

namespace zerospof::observe {

struct ConfigMapRegister {
  std::string value;             // data.value; "" when absent
  std::string resource_version;  // metadata.resourceVersion: the precondition of the next write
};

// One pod as the drill's pod probe needs it.
struct PodState {
  std::string name;
  std::string node;       // spec.nodeName; "" while unscheduled
  bool ready = false;     // condition Ready is True
  bool deleting = false;  // metadata.deletionTimestamp is set (evicted, or being deleted)
};

// One node as the drill needs it.
struct NodeState {
  std::string name;
  bool ready = false;
  // status.nodeInfo.containerRuntimeVersion: "containerd://2.4.2"; kwok's nodes "kwok-v0.7.0".
  std::string container_runtime;
  // The node controller's NoExecute taint (node.kubernetes.io/unreachable or not-ready): the
  // step between NotReady and the eviction of the node's pods.
  bool tainted_for_eviction = false;
};

enum class WriteResult {
  kWritten,       // 2xx: it took effect
  kConflict,      // 409: the resourceVersion moved on; it did not take effect
  kRejected,      // another 4xx, or never sent: it did not take effect
  kIndeterminate  // a 5xx, a timeout after sending: it may have taken effect
};

// One event of a watch on a ConfigMap register.
struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED
  std::string resource_version;
  std::string value;  // data.value
};

struct WatchResult {
  std::vector<WatchEvent> events;  // every complete event received, in the order sent
  // 410 Gone: the resourceVersion watched from is too old (compacted); events between it and
  // now will never be delivered to this watch.
  bool expired = false;
  // The server ended the watch at its timeoutSeconds (no error, nothing cut short).
  bool ended_cleanly = false;
  HttpResponse response;  // for the cause when it did not end cleanly
};

class KubernetesClient {
 public:
  KubernetesClient(HttpClient& http, std::string server)
      : http_(http), server_(std::move(server)) {}

  // The ConfigMap `name` in `namespace_name` as a register; nullopt when it could not be read
  // (`response` says why).
  std::optional<ConfigMapRegister> read_register(const std::string& namespace_name,
                                                 const std::string& name,
                                                 std::chrono::milliseconds timeout,
                                                 HttpResponse* response = nullptr);
  // Replaces data.value when the object is still at `resource_version`.
  WriteResult write_register(const std::string& namespace_name, const std::string& name,
                             const std::string& value, const std::string& resource_version,
                             std::chrono::milliseconds timeout, HttpResponse* response = nullptr);
  // Creates the ConfigMap with `value` or, when it exists, leaves it: true when it exists after.
  bool ensure_register(const std::string& namespace_name, const std::string& name,
                       const std::string& value, std::chrono::milliseconds timeout);
  bool delete_register(const std::string& namespace_name, const std::string& name,
                       std::chrono::milliseconds timeout);
  // Watches the ConfigMap `name` from `resource_version` for `window` (the server's
  // timeoutSeconds; the request's own timeout is 3 s longer). A watch cut short (the apiserver
  // died, the connection broke) still returns the events that arrived whole before the cut.
  WatchResult watch_register(const std::string& namespace_name, const std::string& name,
                             const std::string& resource_version, std::chrono::seconds window);
  // spec.holderIdentity of the lease; nullopt when unreadable, "" when nobody holds it.
  std::optional<std::string> lease_holder(const std::string& namespace_name,
                                          const std::string& name,
                                          std::chrono::milliseconds timeout);
  bool ready(std::chrono::milliseconds timeout);

  // POSTs `body` (JSON) to the collection `path` ("/apis/apps/v1/namespaces/default/deployments");
  // true when the object exists after (created, or 409: already there).
  bool create_object(const std::string& path, const std::string& body,
                     std::chrono::milliseconds timeout);
  // DELETEs `path`; true when it is gone after (deleted, or 404).
  bool delete_object(const std::string& path, std::chrono::milliseconds timeout);
  // The pods of `namespace_name` whose labels match `label_selector` ("app=probe"); nullopt when
  // the list could not be read.
  std::optional<std::vector<PodState>> pods(const std::string& namespace_name,
                                            const std::string& label_selector,
                                            std::chrono::milliseconds timeout);
  // Every node; nullopt when the list could not be read.
  std::optional<std::vector<NodeState>> nodes(std::chrono::milliseconds timeout);
  // The Service's spec.clusterIP; nullopt when it could not be read or has none (headless).
  std::optional<std::string> service_cluster_ip(const std::string& namespace_name,
                                                const std::string& name,
                                                std::chrono::milliseconds timeout);

 private:
  std::string config_map_url(const std::string& namespace_name, const std::string& name) const;

  HttpClient& http_;
  const std::string server_;
};

// The outcome of a write's response (for KubernetesClient and its tests).
WriteResult classify_write(const HttpResponse& response);

}  // namespace zerospof::observe
