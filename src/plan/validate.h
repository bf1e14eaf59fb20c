// Checks of a loaded plan that need the whole plan: every free-form string against the place it
// ends up in (plan_strings.h), unique names, hosts and addresses, subnets that must not overlap, the VIP inside the control-plane nodes' subnet,
// route reflectors that name real nodes. Errors point at the later of two clashing fields.
// Internal to the plan module.
#pragma once

#include "model/cluster.h"
#include "plan/yaml.h"
#include "util/error.h"

namespace zerospof::plan {

util::Status validate(const model::Cluster& cluster, const SourceText& source);

}  // namespace zerospof::plan
