// What the Kubernetes API says of the cluster right now: nodes and their Ready condition, pods and
// where they run, Deployments, StatefulSets and DaemonSets with the nodes of their ready pods,
// PodDisruptionBudgets, leader leases with the age of their last renewal, and the volumes attached
// to each node. Lists are paged
// (limit/continue) and every request is bounded; the parsers take the API's JSON text and are
// tested on it (tests/observe/api_state_test.cpp).
//
// Guarantees: an API that does not answer, refuses the credentials (401) or forbids a list (403)
// is reported as such in `error`, with what to do, never as an empty cluster.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "observe/http.h"

namespace zerospof::observe {

struct LiveNode {
  std::string name;
  std::string ready;  // the Ready condition: True, False, Unknown ("" when not reported)
};

struct LivePod {
  std::string namespace_name, name;
  std::string node;  // "" while unscheduled
  std::string phase;
  bool ready = false;
  std::map<std::string, std::string> labels;
};

struct LiveWorkload {
  std::string kind;  // Deployment, StatefulSet, DaemonSet
  std::string namespace_name, name;
  int desired = 0;
  int ready = 0;
  std::map<std::string, std::string> selector;  // spec.selector.matchLabels
  // The nodes of its ready pods, with how many on each (filled by observe_api).
  std::map<std::string, int> ready_on;
};

struct LivePdb {
  std::string namespace_name, name;
  int disruptions_allowed = 0;
  int expected = 0;
};

struct LiveLease {
  std::string namespace_name, name;
  std::string holder;
  std::optional<double> renewed_seconds_ago;  // from the last renewTime to now
  int duration_seconds = 0;
};

// A volume attached to a node (storage.k8s.io/v1 VolumeAttachment), with the claim that uses it.
// A ReadWriteOnce volume stays attached to a node that died until the attach-detach controller
// force-detaches it (6 minutes after the node's pods are deleted) or the node is tainted
// out-of-service: its pod cannot start anywhere else meanwhile.
struct LiveAttachment {
  std::string name;
  std::string attacher;  // the CSI driver
  std::string node;
  std::string persistent_volume;  // "" when the source is an inline volume spec
  std::string claim;              // NAMESPACE/NAME of the volume's claim ("" when unbound)
  bool attached = false;          // status.attached
};

struct ApiState {
  bool reachable = false;
  std::string error;
  std::vector<LiveNode> nodes;
  std::vector<LivePod> pods;
  std::vector<LiveWorkload> workloads;
  std::vector<LivePdb> budgets;
  std::vector<LiveLease> leases;
  std::vector<LiveAttachment> attachments;
  // The objects a failure analysis reads (workloads, PDBs, Services, admission webhooks,
  // volumes, claims, storage classes), each as JSON text with its kind and apiVersion set (the
  // API leaves them off a list's items) and without status or managedFields.
  std::vector<std::string> objects;
  // Lists that failed while the API answered (403 for these credentials, say): what audit could
  // not read, one line each. The objects above lack them.
  std::vector<std::string> partial;
};

// The items of one page of a list, and the token of the next page ("" on the last).
struct Page {
  std::vector<std::string> items;  // each item as JSON text
  std::string next;
};
std::optional<Page> parse_page(const std::string& body);

std::optional<LiveNode> parse_node(const std::string& item);
std::optional<LivePod> parse_pod(const std::string& item);
std::optional<LiveWorkload> parse_workload(const std::string& kind, const std::string& item);
std::optional<LivePdb> parse_pdb(const std::string& item);
// `now` in seconds since the epoch, for the renewal's age.
std::optional<LiveLease> parse_lease(const std::string& item, double now);
std::optional<LiveAttachment> parse_attachment(const std::string& item);
// Each attachment's claim, from the PersistentVolumes' claimRef (list items as JSON text).
void name_claims(std::vector<LiveAttachment>& attachments,
                 const std::vector<std::string>& persistent_volumes);

// `item` of a list of `kind` (apiVersion `api_version`) as a manifest: kind and apiVersion set,
// status and metadata.managedFields dropped. nullopt when it is not an object.
std::optional<std::string> as_manifest(const std::string& item, const std::string& kind,
                                       const std::string& api_version);

// The nodes of each workload's ready pods (matched by its selector's labels).
void place_pods(std::vector<LiveWorkload>& workloads, const std::vector<LivePod>& pods);

// Every list above, through `server` (the cluster's endpoint).
ApiState observe_api(HttpClient& http, const std::string& server,
                     std::chrono::milliseconds timeout);

}  // namespace zerospof::observe
