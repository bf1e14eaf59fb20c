// The text report: written for a person at a terminal, most important last (the verdict is the
// final line, where the eye lands), and bounded: a 1,000-node plan prints its failures, not
// half a million ok lines.

#include <fmt/format.h>

#include <algorithm>

#include "analysis/analysis.h"
#include "util/terminal.h"

namespace zerospof::analysis {

namespace {

constexpr size_t kScenarioLimit = 60;  // non-verbose: scenarios printed in full
constexpr size_t kMembersShown = 8;    // members of one workload group printed per scenario
constexpr size_t kVerdictsShown = 24;  // non-verbose: lines printed per scenario

// Service names are padded to the longest one (bounded), so the verdicts line up.
size_t name_width(const Report& report) {
  size_t width = 20;
  for (const ServiceInfo& service : report.services) width = std::max(width, service.name.size());
  return std::min<size_t>(width, 56);
}

// A representative scenario says what it stands for (interchangeable nodes).
std::string scenario_label(const Report& report, const Scenario& scenario) {
  std::string name = report.scenario_name(scenario);
  if (scenario.represents > 1) name += fmt::format(" (and {} like it)", scenario.represents - 1);
  return name;
}

std::string health_word(Health health, const util::Style& style) {
  return style.by_severity(static_cast<int>(health), fmt::format("{:<8}", to_string(health)));
}

void write_verdicts(std::string& out, const Report& report, const ScenarioResult& result,
                    const util::Style& style, size_t width, bool verbose) {
  size_t lines = 0, services_left = 0;
  for (const Verdict& verdict : result.verdicts) {
    const std::vector<int>& members = report.subjects[verdict.subject].services;
    if (!verbose && lines >= kVerdictsShown) {
      services_left += members.size();
      continue;
    }
    std::string reason = report.reason_text(verdict);
    for (size_t i = 0; i < members.size() && i < kMembersShown; ++i, ++lines)
      out += fmt::format("    {:<{}} {} {}\n", report.services[members[i]].name, width,
                         health_word(verdict.health, style), reason);
    if (members.size() > kMembersShown) {
      out += fmt::format("    {} more with the same verdict\n", members.size() - kMembersShown);
      ++lines;
    }
  }
  if (services_left > 0)
    out += fmt::format("    {} more services degraded or down here: --verbose lists them\n",
                       services_left);
}

void write_scenarios(std::string& out, const Report& report, const util::Style& style,
                     bool verbose) {
  size_t printed = 0;
  long hidden = 0, ok = 0;
  size_t width = name_width(report);
  bool list_ok = verbose || report.scenario_count <= 100;
  for (const ScenarioResult& result : report.results) {
    const Scenario& scenario = report.scenarios[result.scenario];
    if (result.worst == Health::kOk) {
      ok += scenario.represents;
      if (list_ok)
        out += fmt::format("  {:<46} {}\n", scenario_label(report, scenario),
                           health_word(Health::kOk, style));
      continue;
    }
    if (!verbose && printed >= kScenarioLimit) {
      hidden += scenario.represents;
      continue;
    }
    ++printed;
    out += fmt::format("  {} {}\n",
                       style.bold(fmt::format("{:<46}", scenario_label(report, scenario))),
                       health_word(result.worst, style));
    write_verdicts(out, report, result, style, width, verbose);
  }
  long unlisted_ok = report.health_counts[0] - (list_ok ? ok : 0);
  if (unlisted_ok > 0)
    out += fmt::format("  ({} more scenarios with every service ok)\n", unlisted_ok);
  hidden += report.omitted;
  if (hidden > 0)
    out += fmt::format(
        "  ({} more scenarios with a degraded or down service: --verbose or -o json "
        "lists them)\n",
        hidden);
}

void write_failures(std::string& out, const Report& report, const util::Style& style) {
  std::string single, combined;
  for (size_t s = 0; s < report.summaries.size(); ++s) {
    const ServiceSummary& summary = report.summaries[s];
    if (summary.worst != Health::kDown) continue;
    const Scenario& scenario = summary.scenario;
    std::string line =
        fmt::format("  {} {}: {} ({})\n", style.red("✘"), report.services[s].name,
                    scenario_label(report, scenario), report.reason_text(summary.first_verdict));
    (scenario.failure_count == 1 ? single : combined) += line;
  }
  out += style.bold("Single points of failure") + "\n";
  out += single.empty() ? fmt::format("  {} none\n", style.green("✔")) : single;
  if (report.failures > 1) {
    out += style.bold(
               fmt::format("Smallest failing combinations (up to {} failures)", report.failures)) +
           "\n";
    out += combined.empty() ? fmt::format("  {} none\n", style.green("✔")) : combined;
  }
}

void write_criteria(std::string& out, const Report& report, const util::Style& style) {
  out += style.bold("Success criteria (cluster-plan.md)") + "\n";
  for (const Criterion& criterion : report.criteria) {
    std::string mark = criterion.result == Criterion::Result::kPass   ? style.green("✔ pass")
                       : criterion.result == Criterion::Result::kFail ? style.red("✘ fail")
                                                                      : style.dim("- drill");
    out += fmt::format("  {}  {}: {}\n", mark, criterion.text, criterion.reason);
  }
}

// Findings hold whatever fails, so they come before the criteria they explain.
void write_findings(std::string& out, const Report& report, const util::Style& style) {
  if (report.findings.empty()) return;
  out += style.bold("Findings (whatever fails)") + "\n";
  for (const Finding& finding : report.findings) {
    out +=
        fmt::format("  {} {} {}{}\n", style.yellow("!"), style.bold(finding.rule), finding.object,
                    finding.where.known() ? " (" + finding.where.to_string() + ")" : "");
    out += fmt::format("      {}\n      fix: {}\n", finding.reason, finding.fix);
  }
  out += "\n";
}

// Which nodes stand for which: the classes, each by its first members and its size.
std::string merged_note(const Report& report) {
  if (report.interchangeable_nodes.empty()) return "";
  std::string classes;
  for (std::size_t c = 0; c < report.interchangeable_nodes.size() && c < kMembersShown; ++c) {
    const std::vector<int>& members = report.interchangeable_nodes[c];
    classes += fmt::format("{}{} and {} more", c == 0 ? "" : "; ",
                           report.node_names[members.front()], members.size() - 1);
  }
  if (report.interchangeable_nodes.size() > kMembersShown)
    classes +=
        fmt::format("; {} more classes", report.interchangeable_nodes.size() - kMembersShown);
  return fmt::format(
      "interchangeable nodes (no rule tells them apart) are judged once per class, and a scenario "
      "on one stands for the same scenario on the others ({} classes: {}); --each-node judges "
      "every node on its own",
      report.interchangeable_nodes.size(), classes);
}

}  // namespace

std::string format_text(const Report& report, const util::Style& style, bool verbose) {
  std::string out =
      style.bold("Scenarios") + fmt::format(" ({} failure domains: {}; up to {} at once)\n",
                                            report.domain_names.size(),
                                            report.zones ? "zones" : "nodes", report.failures);
  write_scenarios(out, report, style, verbose);
  out += "\n";
  write_failures(out, report, style);
  out += "\n";
  write_findings(out, report, style);
  write_criteria(out, report, style);
  std::string merged = merged_note(report);
  if (!report.notes.empty() || !report.skipped.empty() || !merged.empty()) {
    out += "\n" + style.bold("Notes") + "\n";
    for (const std::string& note : report.notes) out += "  - " + note + "\n";
    if (!merged.empty()) out += "  - " + merged + "\n";
    for (const std::string& skipped : report.skipped) out += "  - skipped: " + skipped + "\n";
  }
  std::string scenarios = fmt::format("{} scenarios analysed", report.scenario_count);
  if (report.judged_count < report.scenario_count)
    scenarios += fmt::format(", {} judged", report.judged_count);
  out += "\n";
  if (report.any_down())
    out += style.red("✘ a failure takes a service down") +
           fmt::format(" ({} services, {})\n", report.services.size(), scenarios);
  else
    out += style.green(
               fmt::format("✔ no single point of failure{}",
                           report.failures > 1
                               ? fmt::format(" (nor any set of up to {} failures)", report.failures)
                               : "")) +
           fmt::format(" ({} services, {})\n", report.services.size(), scenarios);
  return out;
}

}  // namespace zerospof::analysis
