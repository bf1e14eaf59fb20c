// The live cluster at a glance: from what the hosts, etcd and the Kubernetes API say right now
// (observe/), the health of every component (etcd, apiservers, the endpoint, the leader-elected
// controllers, nodes, volume attachments), every node and every workload, in the words `check` uses
// (healthy / degraded / down, "tolerates N"), and the certificates that expire soon.
//
// assess() is a pure function of plain data (tests/status/status_test.cpp feeds it made-up
// observations); observe_cluster() is the only part that talks to the cluster. Guarantees:
// every question is bounded in time, a part that did not answer is reported as such (never as
// healthy), and nothing read is a secret: certificates' dates, never their keys.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "model/cluster.h"
#include "observe/api_state.h"
#include "observe/cluster_facts.h"
#include "observe/host_state.h"
#include "observe/http.h"
#include "transport/transport.h"

namespace zerospof::status {

enum class Health { kHealthy, kDegraded, kDown };
const char* to_string(Health health);

struct Observations {
  std::vector<observe::HostState> hosts;
  observe::EtcdStatus etcd;
  std::vector<std::string> ready_apiservers;  // asked on each control-plane node itself
  observe::ApiState api;
  double now = 0;  // seconds since the epoch, when observed
};

struct ComponentStatus {
  std::string name;  // etcd, apiservers, endpoint, kube-scheduler, kube-controller-manager, nodes
  Health health = Health::kHealthy;
  std::string detail;  // "3/3 members healthy, leader cloudserver1, tolerates 1"
  int tolerates = 0;   // further failures of this component it survives
};

struct NodeStatus {
  std::string name;
  Health health = Health::kHealthy;
  bool reachable = false;        // over SSH
  std::string kubernetes_ready;  // the Node's Ready condition ("" when the API did not say)
  bool holds_vip = false;
  std::vector<observe::UnitState> units;  // the enabled ones: apply started them
  std::vector<std::string> problems;
};

struct WorkloadStatus {
  std::string kind, namespace_name, name;
  int desired = 0, ready = 0;
  std::map<std::string, int> ready_on;  // node -> ready pods
  Health health = Health::kHealthy;
  int tolerates = 0;  // node failures it survives with a ready pod left
  std::string detail;
};

struct LeaseStatus {
  std::string namespace_name, name, holder;
  std::optional<double> renewed_seconds_ago;
  int duration_seconds = 0;
  bool stale = false;  // not renewed within its duration: no leader is acting
};

struct CertificateStatus {
  std::string node, path;
  double days_left = 0;  // negative once expired
};

struct AssessOptions {
  double certificate_warning_days = 30;
};

struct ClusterStatus {
  std::string cluster;
  Health health = Health::kHealthy;
  bool unreachable = false;  // neither the API nor any host answered
  std::string api_error;
  std::vector<ComponentStatus> components;
  observe::EtcdStatus etcd;  // per member: answered, leader, raft term and index, size, errors
  std::vector<NodeStatus> nodes;
  std::vector<WorkloadStatus> workloads;
  std::vector<LeaseStatus> leases;  // kube-system's leader leases
  // Volumes attached to a node that is not Ready (or gone): their pods cannot start elsewhere
  // until the attachment is released.
  std::vector<observe::LiveAttachment> stuck_attachments;
  std::vector<CertificateStatus> expiring;   // within the warning window, soonest first
  std::optional<CertificateStatus> soonest;  // the next certificate to expire, any date
  AssessOptions options;
};

ClusterStatus assess(const model::Cluster& cluster, const Observations& observed,
                     const AssessOptions& options = {});

// Asks the hosts (over `transport`) and the API (through `server`) at once.
Observations observe_cluster(const model::Cluster& cluster, transport::Transport& transport,
                             observe::HttpClient& http, const std::string& server,
                             std::chrono::milliseconds timeout);

// Exit status: 0 healthy, 1 degraded or a part down, 4 when nothing answered.
int exit_code(const ClusterStatus& status);

}  // namespace zerospof::status
