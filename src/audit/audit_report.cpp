// The audit's text and JSON: its own sections (what each service tolerates now, drift from the
// plan, certificates as scheduled failures, how the cluster was modelled), then check's report of
// the live model, so a person and a program read the same words and shape as check's.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "status/status_report.h"

namespace zerospof::audit {

namespace {

std::string safe(const std::string& text) { return util::printable(text, 400); }

std::string tolerates(const Tolerance& tolerance) {
  return fmt::format("tolerates {}{}", tolerance.at_least ? "at least " : "", tolerance.tolerates);
}

}  // namespace

std::string report_text(const AuditReport& report, const util::Style& style) {
  std::string out = status::report_text(report.now, style);
  if (report.now.unreachable) return out;
  out += "\n" + style.bold("what each service tolerates now") + "\n";
  std::size_t width = 24;
  for (const auto& tolerance : report.tolerances) width = std::max(width, tolerance.service.size());
  for (const auto& tolerance : report.tolerances) {
    std::string said = tolerates(tolerance);
    if (tolerance.tolerates == 0 && !tolerance.at_least) said = style.red(said);
    out += fmt::format("  {:<{}} {}{}\n", safe(tolerance.service), width, said,
                       tolerance.now.empty() ? "" : " (" + safe(tolerance.now) + ")");
    if (!tolerance.takes_it_down.empty())
      out += fmt::format("  {:<{}}   {}\n", "", width, safe(tolerance.takes_it_down));
  }
  out += "\n" + style.bold("drift from the plan") + "\n";
  if (report.drifts.empty()) out += "  none\n";
  for (const auto& drift : report.drifts)
    out += fmt::format("  {}{}\n", safe(drift.what),
                       drift.changes_verdict   ? " -- changes a verdict: " + safe(drift.verdict)
                       : drift.verdict.empty() ? " (changes no verdict)"
                                               : " (" + safe(drift.verdict) + ")");
  out += "\n" + style.bold("scheduled failures") + "\n";
  if (report.scheduled.empty()) {
    out += fmt::format("  no certificate expires on every control-plane node within {:.0f} days\n",
                       report.now.options.certificate_warning_days);
  }
  for (const auto& failure : report.scheduled)
    out += fmt::format(
        "  {} expires on every control-plane node ({}) within {:.0f} days: a "
        "single point of failure with a date\n",
        safe(failure.path), fmt::join(failure.nodes, ", "), failure.days_left);
  out += "\n" + style.bold("how the live cluster was modelled") + "\n";
  for (const auto& note : report.notes) out += "  " + safe(note) + "\n";
  out += "\n" + analysis::format_text(report.live, style, false);
  return out;
}

std::string report_json(const AuditReport& report) {
  using nlohmann::json;
  json out =
      report.now.unreachable ? json::object() : json::parse(analysis::format_json(report.live));
  json tolerances = json::array();
  for (const auto& tolerance : report.tolerances)
    tolerances.push_back({{"service", tolerance.service},
                          {"now", tolerance.now},
                          {"tolerates", tolerance.tolerates},
                          {"atLeast", tolerance.at_least},
                          {"takesItDown", tolerance.takes_it_down}});
  json drift = json::array();
  for (const auto& entry : report.drifts)
    drift.push_back({{"what", entry.what},
                     {"changesVerdict", entry.changes_verdict},
                     {"verdict", entry.verdict}});
  json scheduled = json::array();
  for (const auto& failure : report.scheduled)
    scheduled.push_back(
        {{"path", failure.path}, {"daysLeft", failure.days_left}, {"nodes", failure.nodes}});
  out["audit"] = {{"tolerances", tolerances},
                  {"drift", drift},
                  {"scheduledFailures", scheduled},
                  {"notes", report.notes},
                  {"now", status::to_json(report.now)}};
  // Text from hosts may not be UTF-8: replaced, never a throw.
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace zerospof::audit
