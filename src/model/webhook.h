// Admission webhooks as plain values: what each one guards (its rules) and which Service answers
// it. The analysis makes a webhook that fails closed a dependency of every API write it matches.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/error.h"

namespace zerospof::model {

// What one rule of an admission webhook matches: "CREATE, UPDATE of networking.k8s.io
// ingresses". "*" matches everything, as in Kubernetes.
struct WebhookRule {
  std::vector<std::string> operations;
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;
};

// One webhook of a ValidatingWebhookConfiguration or MutatingWebhookConfiguration. While the
// Service it calls has no ready pod, the API server rejects every request its rules match when
// it fails closed (failurePolicy: Fail, the default of admissionregistration.k8s.io/v1).
struct AdmissionWebhook {
  std::string configuration;  // metadata.name of the configuration
  std::string name;           // webhooks[].name
  bool mutating = false;
  bool fails_closed = true;
  std::string service_namespace, service_name;  // empty: clientConfig.url, outside the cluster
  std::vector<WebhookRule> rules;
  util::SourceLocation where;

  std::string display_name() const;  // "validatingwebhook/ingress-nginx-admission/validate..."
  // The writes it guards, for a person: "CREATE, UPDATE of ingresses.networking.k8s.io".
  std::string matched_writes() const;
};

}  // namespace zerospof::model
