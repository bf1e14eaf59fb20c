// The status report: text a person reads at a glance (colour by health when `style` has it) and
// JSON for machines (docs/status.md has its schema). Pure functions of a ClusterStatus.
#pragma once

#include <string>

#include "status/status.h"
#include "util/terminal.h"

namespace zerospof::status {

std::string report_text(const ClusterStatus& status, const util::Style& style);
std::string report_json(const ClusterStatus& status);

}  // namespace zerospof::status
