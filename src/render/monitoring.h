// The monitoring stack zerospof deploys when spec.addons.monitoring.enabled, as the analysis
// models it (src/analysis/addons.cpp): namespace monitoring, Prometheus (2 replicas, each
// scraping everything), Alertmanager (3, clustered so that each alert is sent once), Grafana
// (2, stateless with provisioned data source) and kube-state-metrics (2); each with required
// anti-affinity on the hostname, probes, requests and a PodDisruptionBudget. Prometheus alerts on
// the failures the cluster is built to survive, so that a survived failure is still repaired:
// a node NotReady, an apiserver lost, etcd unhealthy, and (vip mode) the API endpoint itself.
#pragma once

#include <string>

#include "model/cluster.h"

namespace zerospof::render {

// "" when monitoring is disabled.
std::string monitoring_manifest(const model::Cluster& cluster);

}  // namespace zerospof::render
