// Pod priority, as the scheduler uses it when the surviving nodes cannot hold every pod: it
// places higher-priority pods first and evicts (preempts) lower-priority ones to make room.
// PriorityClasses as plain values, and the two classes every cluster has without a manifest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace zerospof::model {

struct PriorityClass {
  std::string name;
  std::int32_t value = 0;
  bool global_default = false;  // the priority of pods that name no class
  bool preempts = true;         // preemptionPolicy: PreemptLowerPriority (else Never)
  util::SourceLocation where;
};

// system-cluster-critical and system-node-critical, which the API server creates itself.
std::optional<std::int32_t> builtin_priority(std::string_view name);

}  // namespace zerospof::model
