// The drill's three reports, from the DrillReport alone: a terminal summary, JSON for machines
// (docs/drill.md has the schema) and a self-contained HTML page (inline SVG and CSS, no script
// or network) with a timeline per scenario: one lane per probe, the fault interval shaded, the
// failover events marked, latency over time, and the success criteria with their evidence.
#pragma once

#include <string>

#include "drill/record.h"

namespace zerospof::drill {

std::string report_text(const DrillReport& report);
std::string report_json(const DrillReport& report);
std::string report_html(const DrillReport& report);

// The success criteria of cluster-plan.md a drill judges, with the evidence from `report`.
struct Criterion {
  std::string name;
  bool met = false;
  std::string evidence;
};
std::vector<Criterion> criteria(const DrillReport& report);

// One line of what status saw: its health, then every part that was not healthy.
std::string status_summary(const status::ClusterStatus& status);

}  // namespace zerospof::drill
