// What the manifests held that the analysis does not model, kind by kind: counted, so the
// report can name every kind it judged as absent instead of dropping it without a word.
#pragma once

#include <string>

#include "util/error.h"

namespace zerospof::model {

// Objects of one kind (and apiVersion) the analysis does not judge: listed in the report, never
// dropped without a word.
struct UnmodelledKind {
  std::string kind;         // "Ingress"
  std::string api_version;  // "networking.k8s.io/v1"
  int count = 0;
  util::SourceLocation first;  // where the first of them is
  // Cannot change what a failure takes down (RBAC, ConfigMaps, Secrets, CRDs, namespaces...);
  // the others (Pods, Jobs, Ingresses, custom resources...) might, and the report says so.
  bool inert = false;
};

}  // namespace zerospof::model
