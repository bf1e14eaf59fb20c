// Plans for tests, as YAML text: the built-in plan and small edits of it, so each test states
// only what it changes. Loading goes through the real loader, so every plan here is valid.
#pragma once

#include <string>

#include "model/cluster.h"
#include "plan/plan.h"

namespace zerospof::testing {

// `text` with the first occurrence of `from` replaced by `to`; fails the test if absent.
std::string replace_once(std::string text, const std::string& from, const std::string& to);

// The built-in plan with cluster addresses in 198.18.7.0/24 and VIP 198.18.7.100.
std::string addressed_plan();

// Loads `text` as a plan named "test.yaml", failing the test on an error.
model::Cluster load_plan(const std::string& text);

// The path of a file under ../shared (testdata, upstream).
std::string shared_path(const std::string& relative);

// What `kubectl get -A -o yaml` gives: one List holding a single-replica Deployment, two
// Ingresses (the first at line 13, column 3), a Secret and a cert-manager Certificate.
inline const char* const kClusterList = R"(apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec:
    replicas: 1
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec: {containers: [{name: web}]}
- apiVersion: networking.k8s.io/v1
  kind: Ingress
  metadata: {name: web, namespace: shop}
- apiVersion: networking.k8s.io/v1
  kind: Ingress
  metadata: {name: api, namespace: shop}
- apiVersion: v1
  kind: Secret
  metadata: {name: token, namespace: shop}
- apiVersion: cert-manager.io/v1
  kind: Certificate
  metadata: {name: web-tls, namespace: shop}
)";

}  // namespace zerospof::testing
