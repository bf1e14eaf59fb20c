// The status report: text a person reads at a glance (colour by health when `style` has it) and
// JSON for machines (docs/status.md has its schema). Pure functions of a ClusterStatus.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "status/status.h"
#include "util/terminal.h"

namespace zerospof::status {

std::string report_text(const ClusterStatus& status, const util::Style& style);
std::string report_json(const ClusterStatus& status);
// The same as a JSON value, for reports that hold a status (audit's, the drill's). Text read from
// hosts may not be UTF-8: whoever dumps it replaces what is not.
nlohmann::json to_json(const ClusterStatus& status);

}  // namespace zerospof::status
