#include "model/priority.h"

namespace zerospof::model {

std::optional<std::int32_t> builtin_priority(std::string_view name) {
  // Kubernetes' values (pkg/apis/scheduling: SystemCriticalPriority and the node-critical one).
  if (name == "system-cluster-critical") return 2'000'000'000;
  if (name == "system-node-critical") return 2'000'001'000;
  return std::nullopt;
}

}  // namespace zerospof::model
