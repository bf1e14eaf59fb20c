#include "drill/report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "drill/data_plane.h"
#include "drill/judge.h"
#include "drill/summary.h"
#include "status/status_report.h"

namespace zerospof::drill {

namespace {

std::string seconds(std::optional<double> ms) {
  return ms ? fmt::format("{:.2f} s", *ms / 1000) : "-";
}

// Milliseconds as JSON seconds, counted from `origin_ms`; null when not measured.
nlohmann::json json_seconds(std::optional<double> ms, double origin_ms = 0) {
  return ms ? nlohmann::json((*ms - origin_ms) / 1000) : nlohmann::json(nullptr);
}

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string status_summary(const status::ClusterStatus& status) {
  std::vector<std::string> parts;
  for (const auto& component : status.components)
    if (component.health != status::Health::kHealthy)
      parts.push_back(fmt::format("{} {} ({})", component.name, to_string(component.health),
                                  util::printable(component.detail, 160)));
  for (const auto& node : status.nodes)
    if (node.health != status::Health::kHealthy)
      parts.push_back(fmt::format(
          "node {} {}{}", node.name, to_string(node.health),
          node.problems.empty() ? "" : " (" + util::printable(node.problems.front(), 120) + ")"));
  return fmt::format("{}{}{}", to_string(status.health), parts.empty() ? "" : ": ",
                     fmt::join(parts, "; "));
}

std::vector<Criterion> criteria(const DrillReport& report) {
  std::size_t lost = 0, writes = 0, not_linearizable = 0, undecided = 0, unhealthy = 0;
  for (const ScenarioResult& scenario : report.scenarios) {
    lost += scenario.acknowledged_writes_lost;
    writes += scenario.acknowledged_writes;
    if (!scenario.linearizable)
      ++undecided;
    else if (!*scenario.linearizable)
      ++not_linearizable;
    if (scenario.healthy_ms <= 0) ++unhealthy;
  }
  std::size_t passed = static_cast<std::size_t>(
      std::count_if(report.scenarios.begin(), report.scenarios.end(),
                    [](const ScenarioResult& s) { return s.verdict == Verdict::kPass; }));
  return {
      {"Zero data loss in all failover scenarios", lost == 0 && not_linearizable == 0,
       fmt::format("{} acknowledged writes, {} lost; {} histories not linearizable, {} undecided",
                   writes, lost, not_linearizable, undecided)},
      {"Automatic recovery when nodes come back online", unhealthy == 0,
       fmt::format("{} of {} scenarios healthy again with no manual step",
                   report.scenarios.size() - unhealthy, report.scenarios.size())},
      {"Every failover within the budget the tuning implies", passed == report.scenarios.size(),
       fmt::format("{} of {} scenarios pass", passed, report.scenarios.size())},
  };
}

namespace {

std::string tuning_label(const DrillReport& report) {
  return report.tuning + (report.tuning_customised ? ", with the plan's own timings" : "");
}

// Whether a summary over runs says more than the runs' own lines: some scenario ran more than
// once, or other tunings were drilled beside this one.
bool worth_summarising(const DrillReport& report) {
  if (!report.compared.empty()) return true;
  for (const ScenarioSummary& summary : summarize(report))
    if (summary.runs > 1) return true;
  return false;
}

std::string median_and_worst(const ScenarioSummary& summary, const std::string& probe) {
  for (const OutageSummary& outage : summary.outages)
    if (outage.probe == probe)
      return fmt::format("{:.2f} / {:.2f} s{}", outage.median_ms / 1000, outage.worst_ms / 1000,
                         outage.worst_after_heal ? "*" : "");
  return "-";
}

// Each scenario over its runs, a row per tuning drilled, the tunings of a scenario side by side.
struct RowOverTheRuns {
  const DrillReport* tuning;
  ScenarioSummary summary;
};
std::vector<RowOverTheRuns> rows_over_the_runs(const DrillReport& report) {
  std::vector<const DrillReport*> tunings{&report};
  for (const DrillReport& compared : report.compared) tunings.push_back(&compared);
  std::vector<std::vector<ScenarioSummary>> summaries;
  for (const DrillReport* tuning : tunings) summaries.push_back(summarize(*tuning));
  std::vector<RowOverTheRuns> rows;
  for (const ScenarioSummary& first : summaries.front())
    for (std::size_t t = 0; t < tunings.size(); ++t)
      for (const ScenarioSummary& summary : summaries[t])
        if (summary.name == first.name) rows.push_back({tunings[t], summary});
  return rows;
}

std::string summary_text(const DrillReport& report) {
  std::string out = fmt::format(
      "over the runs, median / worst (* the worst began after the heal):\n{:<34} {:<14} {:>4} "
      "{:>14} {:>17} {:>17} {:>8} {:>5} {}\n",
      "scenario", "tuning", "runs", "pass/fail/inc.", "api-write", "etcd-write", "budget", "lost",
      "pods elsewhere (budget)");
  for (const auto& [tuning, summary] : rows_over_the_runs(report)) {
    std::string pods = "-";
    if (summary.reschedule_budget_ms > 0)
      pods = summary.reschedule_median_ms
                 ? fmt::format("{:.1f} / {:.1f} s in {} of {} ({:.1f} s)",
                               *summary.reschedule_median_ms / 1000,
                               *summary.reschedule_worst_ms / 1000, summary.rescheduled,
                               summary.runs, summary.reschedule_budget_ms / 1000)
                 : fmt::format("never ({:.1f} s)", summary.reschedule_budget_ms / 1000);
    out += fmt::format(
        "{:<34} {:<14} {:>4} {:>14} {:>17} {:>17} {:>8} {:>5} {}\n", summary.name, tuning->tuning,
        summary.runs, fmt::format("{}/{}/{}", summary.passed, summary.failed, summary.inconclusive),
        median_and_worst(summary, "api-write"), median_and_worst(summary, "etcd-write"),
        seconds(summary.budget_ms), summary.acknowledged_writes_lost, pods);
  }
  return out;
}

std::string runs_text(const DrillReport& report) {
  std::string out = fmt::format("drill of {} (tuning {}, seed {})\n", report.cluster,
                                tuning_label(report), report.seed);
  out += fmt::format("{:<34} {:>3} {:<13} {:>9} {:>9} {:>10} {:>8} {:>5} {}\n", "scenario", "run",
                     "verdict", "api-write", "api-read", "etcd-write", "budget", "lost",
                     "linearizable");
  auto unavailable = [](const ScenarioResult& s, const char* name) {
    const ProbeRecord* probe = probe_named(s, name);
    return seconds(probe ? probe->unavailable_ms : std::nullopt);
  };
  for (const ScenarioResult& s : report.scenarios) {
    out += fmt::format("{:<34} {:>3} {:<13} {:>9} {:>9} {:>10} {:>8} {:>5} {}\n", s.name, s.run,
                       to_string(s.verdict), unavailable(s, "api-write"),
                       unavailable(s, "api-read"), unavailable(s, "etcd-write"),
                       seconds(s.predicted_outage_ms), s.acknowledged_writes_lost,
                       s.linearizable ? (*s.linearizable ? "yes" : "NO") : "undecided");
    out += fmt::format("    fault: {}\n", s.fault.empty() ? "(not injected)" : s.fault);
    if (s.check) {
      std::vector<std::string> said;
      std::size_t others = 0;
      // What check says goes down first: that is what a reader compares with the measurement.
      for (bool down : {true, false})
        for (const ServicePrediction& service : s.check->services) {
          if ((service.health == "down") != down) continue;
          if (said.size() < 5)
            said.push_back(fmt::format("{} {}", service.service, service.health));
          else
            ++others;
        }
      out += fmt::format("    check predicted ({}): {}{}{}\n", s.check->scenario, s.check->worst,
                         said.empty() ? "" : fmt::format("; {}", fmt::join(said, ", ")),
                         others ? fmt::format(" and {} more", others) : "");
    }
    if (s.watch)
      out += fmt::format(
          "    watch: {} events, {} of {} acknowledged writes delivered once and in order, {} "
          "reconnect(s){}{}\n",
          s.watch->events, s.watch->acknowledged - s.watch->missing - s.watch->relisted,
          s.watch->acknowledged, s.watch->reconnects,
          s.watch->expired ? fmt::format(", {} refused with 410 Gone and listed again ({} "
                                         "write(s) reached it only as the listed state)",
                                         s.watch->expired, s.watch->relisted)
                           : "",
          s.watch->delivered ? "" : " (NOT as it must)");
    std::vector<std::string> data_plane;
    for (const std::string& name :
         {std::string(kDnsLane), std::string(kServiceLane), std::string(kWorkloadLane) + "-write",
          std::string(kWorkloadLane) + "-read"})
      if (const ProbeRecord* probe = probe_named(s, name))
        data_plane.push_back(fmt::format("{} {} ({} of {} not ok{})", name,
                                         seconds(probe->unavailable_ms),
                                         probe->failed + probe->unknown, probe->attempts.size(),
                                         probe->judged ? "" : ", not judged"));
    if (!data_plane.empty())
      out += fmt::format("    data plane: {}\n", fmt::join(data_plane, ", "));
    if (s.predicted_reschedule_ms > 0)
      out += fmt::format("    pods running elsewhere after: {} (budget {})\n",
                         seconds(s.pods_rescheduled_ms), seconds(s.predicted_reschedule_ms));
    if (s.status_unanswered_ms)
      out += fmt::format(
          "    status: no answer {:.1f} s after it was asked, by the fault's end; the fault was "
          "not held longer for it\n",
          *s.status_unanswered_ms / 1000);
    if (s.status_during_fault)
      out += fmt::format("    status {:.1f} s into the fault: {}\n",
                         (s.status_at_ms - s.fault_start_ms) / 1000,
                         status_summary(*s.status_during_fault));
    if (!s.drill_pauses.empty()) {
      double total = 0, longest = 0;
      for (const Pause& pause : s.drill_pauses) {
        total += pause.to_ms - pause.from_ms;
        longest = std::max(longest, pause.to_ms - pause.from_ms);
      }
      out += fmt::format(
          "    drill paused: {} time(s), {:.2f} s in all, longest {:.2f} s (its machine was "
          "starved; outages are judged without those windows)\n",
          s.drill_pauses.size(), total / 1000, longest / 1000);
    }
    for (const std::string& reason : s.reasons) out += "    why: " + reason + "\n";
    for (const std::string& finding : s.findings) out += "    finding: " + finding + "\n";
    for (const ProbeRecord& probe : s.probes) {
      if (probe.causes.empty()) continue;
      std::vector<std::string> causes;
      for (const auto& [cause, count] : probe.causes)
        causes.push_back(fmt::format("{} x {}", count, cause));
      out += fmt::format("    {} not ok: {}\n", probe.name, fmt::join(causes, ", "));
    }
  }
  for (const Criterion& criterion : criteria(report))
    out += fmt::format("{} {}: {}\n", criterion.met ? "met    " : "NOT MET", criterion.name,
                       criterion.evidence);
  for (const std::string& note : report.notes) out += "note: " + note + "\n";
  return out;
}

}  // namespace

std::string report_text(const DrillReport& report) {
  std::string out = runs_text(report);
  for (const DrillReport& compared : report.compared) out += "\n" + runs_text(compared);
  if (worth_summarising(report)) out += "\n" + summary_text(report);
  return out;
}

namespace {

nlohmann::json summary_json(const DrillReport& report) {
  nlohmann::json out = nlohmann::json::array();
  for (const ScenarioSummary& summary : summarize(report)) {
    nlohmann::json outages = nlohmann::json::object();
    for (const OutageSummary& outage : summary.outages)
      outages[outage.probe] = {{"medianSeconds", outage.median_ms / 1000},
                               {"worstSeconds", outage.worst_ms / 1000},
                               {"worstAfterHeal", outage.worst_after_heal},
                               {"runs", outage.measured}};
    nlohmann::json pods(nullptr);
    if (summary.reschedule_budget_ms > 0)
      pods = {{"medianSeconds", json_seconds(summary.reschedule_median_ms)},
              {"worstSeconds", json_seconds(summary.reschedule_worst_ms)},
              {"runs", summary.rescheduled},
              {"budgetSeconds", summary.reschedule_budget_ms / 1000}};
    out.push_back({{"name", summary.name},
                   {"runs", summary.runs},
                   {"verdicts",
                    {{"pass", summary.passed},
                     {"fail", summary.failed},
                     {"inconclusive", summary.inconclusive}}},
                   {"unavailableSeconds", outages},
                   {"budgetSeconds", summary.budget_ms / 1000},
                   {"acknowledgedWrites", summary.acknowledged_writes},
                   {"acknowledgedWritesLost", summary.acknowledged_writes_lost},
                   {"notLinearizable", summary.not_linearizable},
                   {"podsRescheduled", pods}});
  }
  return out;
}

nlohmann::json report_object(const DrillReport& report) {
  nlohmann::json scenarios = nlohmann::json::array();
  for (const ScenarioResult& s : report.scenarios) {
    nlohmann::json unavailable = nlohmann::json::object(), outage_start = nlohmann::json::object(),
                   unpaused = nlohmann::json::object();
    for (const ProbeRecord& probe : s.probes) {
      unavailable[probe.name] = json_seconds(probe.unavailable_ms);
      outage_start[probe.name] = json_seconds(probe.unavailable_from_ms, s.fault_start_ms);
      unpaused[probe.name] = json_seconds(probe.unavailable_unpaused_ms);
    }
    // Always present, as docs/drill.md promises: null when etcd was not probed.
    if (!unavailable.contains("etcd-write")) unavailable["etcd-write"] = nullptr;
    nlohmann::json pauses = nlohmann::json::array();
    for (const Pause& pause : s.drill_pauses)
      pauses.push_back({{"fromSeconds", (pause.from_ms - s.fault_start_ms) / 1000},
                        {"seconds", (pause.to_ms - pause.from_ms) / 1000}});
    nlohmann::json check(nullptr);
    if (s.check) {
      nlohmann::json services = nlohmann::json::array();
      for (const ServicePrediction& service : s.check->services)
        services.push_back(
            {{"service", service.service}, {"health", service.health}, {"reason", service.reason}});
      check = {{"scenario", s.check->scenario}, {"worst", s.check->worst}, {"services", services}};
    }
    nlohmann::json watch(nullptr);
    if (s.watch)
      watch = {{"delivered", s.watch->delivered},       {"events", s.watch->events},
               {"acknowledged", s.watch->acknowledged}, {"missing", s.watch->missing},
               {"duplicated", s.watch->duplicated},     {"outOfOrder", s.watch->out_of_order},
               {"reconnects", s.watch->reconnects},     {"expired", s.watch->expired},
               {"relisted", s.watch->relisted},         {"problems", s.watch->problems}};
    nlohmann::json probes = nlohmann::json::object();
    for (const ProbeRecord& probe : s.probes)
      probes[probe.name] = {{"ok", probe.ok},
                            {"failed", probe.failed},
                            {"unknown", probe.unknown},
                            {"conflicts", probe.conflicts},
                            {"causes", probe.causes}};
    nlohmann::json events = nlohmann::json::array();
    for (const Event& event : s.events)
      events.push_back(
          {{"atSeconds", event.at_ms / 1000}, {"kind", event.kind}, {"text", event.text}});
    scenarios.push_back({
        {"name", s.name},
        {"planScenario",
         s.plan_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.plan_name)},
        {"run", s.run},
        {"target", s.target_node},
        {"fault", s.fault},
        {"verdict", to_string(s.verdict)},
        {"interrupted", s.interrupted},
        {"reasons", s.reasons},
        {"findings", s.findings},
        {"acknowledgedWrites", s.acknowledged_writes},
        {"acknowledgedWritesLost", s.acknowledged_writes_lost},
        {"linearizable",
         s.linearizable ? nlohmann::json(*s.linearizable) : nlohmann::json(nullptr)},
        {"linearizabilityDetail", s.linearizability_detail},
        {"unavailableSeconds", unavailable},
        {"outageStartSeconds", outage_start},
        {"unavailableWithoutDrillPausesSeconds", unpaused},
        {"drillPauses", pauses},
        {"operations", probes},
        {"failoverPath", {{"expected", s.failover_path}, {"seen", s.failover_path_seen}}},
        {"faultSeconds", {{"start", s.fault_start_ms / 1000}, {"end", s.fault_end_ms / 1000}}},
        {"recoverySeconds", s.healthy_ms > 0
                                ? nlohmann::json((s.healthy_ms - s.fault_end_ms) / 1000)
                                : nlohmann::json(nullptr)},
        {"etcdHashesEqual",
         s.etcd_hashes_equal ? nlohmann::json(*s.etcd_hashes_equal) : nlohmann::json(nullptr)},
        {"watch", watch},
        {"statusUnansweredSeconds", json_seconds(s.status_unanswered_ms)},
        {"statusDuringFault",
         s.status_during_fault ? nlohmann::json{{"atSeconds", s.status_at_ms / 1000},
                                                {"status", status::to_json(*s.status_during_fault)}}
                               : nlohmann::json(nullptr)},
        {"podsRescheduledSeconds", json_seconds(s.pods_rescheduled_ms)},
        {"predicted",
         {{"unavailableSeconds", s.predicted_outage_ms / 1000},
          {"reason", s.predicted_reason},
          {"podsRescheduledSeconds", s.predicted_reschedule_ms > 0
                                         ? nlohmann::json(s.predicted_reschedule_ms / 1000)
                                         : nlohmann::json(nullptr)},
          {"check", check}}},
        {"events", events},
    });
  }
  nlohmann::json criteria_json = nlohmann::json::array();
  for (const Criterion& criterion : criteria(report))
    criteria_json.push_back(
        {{"name", criterion.name}, {"met", criterion.met}, {"evidence", criterion.evidence}});
  nlohmann::json compared = nlohmann::json::array();
  for (const DrillReport& other : report.compared) compared.push_back(report_object(other));
  return {{"cluster", report.cluster},
          {"tuning", report.tuning},
          {"tuningCustomised", report.tuning_customised},
          {"seed", report.seed},
          {"endpoint", report.endpoint},
          {"scenarios", scenarios},
          {"scenarioRunsPlanned", report.scenario_runs_planned},
          {"interrupted", report.interrupted},
          {"summary", summary_json(report)},
          {"criteria", criteria_json},
          {"notes", report.notes},
          {"compared", compared}};
}

}  // namespace

std::string report_json(const DrillReport& report) {
  // Status's text comes from the hosts and may not be UTF-8: replaced, never a throw.
  return report_object(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

// Green answered (a conflict is an answer too, paler), red failed, amber unknown.
const char* colour_of(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kOk:
      return "#2e7d32";
    case AttemptOutcome::kConflict:
      return "#81c784";
    case AttemptOutcome::kFailed:
      return "#c62828";
    case AttemptOutcome::kUnknown:
      return "#ef8f00";
  }
  return "#ef8f00";
}

// Attempts of one outcome and cause whose ticks overlap or touch (within half a pixel), drawn as
// one rectangle: a drill's five runs of twelve scenarios made a 62 MB page of single ticks, most
// of them green on green.
struct TickRun {
  AttemptOutcome outcome = AttemptOutcome::kOk;
  std::string cause;
  double from = 0, to = 0;  // pixels
  std::size_t requests = 0;
};

// Answered first, failed last: drawn in this order a failure is never hidden under the
// successes around it.
int draw_rank(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kOk:
      return 0;
    case AttemptOutcome::kConflict:
      return 1;
    case AttemptOutcome::kUnknown:
      return 2;
    case AttemptOutcome::kFailed:
      return 3;
  }
  return 3;
}

// The runs of `attempts` at the pixel positions `x` gives, in drawing order.
template <typename ToPixels>
std::vector<TickRun> tick_runs(const std::vector<Attempt>& attempts, const ToPixels& x) {
  struct Group {
    AttemptOutcome outcome = AttemptOutcome::kOk;
    std::vector<std::pair<double, double>> ticks;  // from, to in pixels
  };
  std::map<std::pair<int, std::string>, Group> groups;
  for (const Attempt& attempt : attempts) {
    Group& group = groups[{draw_rank(attempt.outcome), attempt.cause}];
    group.outcome = attempt.outcome;
    double from = x(attempt.start_ms);
    group.ticks.emplace_back(from, std::max(from + 1, x(attempt.end_ms)));
  }
  std::vector<TickRun> runs;
  for (auto& [key, group] : groups) {
    std::sort(group.ticks.begin(), group.ticks.end());
    const std::size_t group_start = runs.size();
    for (const auto& [from, to] : group.ticks) {
      if (runs.size() > group_start && from <= runs.back().to + 0.5) {
        runs.back().to = std::max(runs.back().to, to);
        ++runs.back().requests;
      } else {
        runs.push_back({group.outcome, key.second, from, to, 1});
      }
    }
  }
  return runs;
}

// One scenario's timeline as inline SVG: x is time from a little before the fault to the end of
// probing; a lane per probe with its attempts as ticks (green ok, red failed, amber unknown;
// touching ticks of one outcome and cause as one), the fault shaded, events as labelled vertical
// lines, and a latency plot underneath.
std::string timeline_svg(const ScenarioResult& s) {
  double begin = s.fault_start_ms, end = s.fault_end_ms, max_latency = 1;
  for (const ProbeRecord& probe : s.probes)
    for (const Attempt& attempt : probe.attempts) {
      begin = std::min(begin, attempt.start_ms);
      end = std::max(end, attempt.end_ms);
      max_latency = std::max(max_latency, attempt.end_ms - attempt.start_ms);
    }
  for (const Event& event : s.events) end = std::max(end, event.at_ms);
  double span = std::max(1.0, end - begin);
  const double width = 1000, left = 90, plot = width - left - 10;
  auto x = [&](double ms) { return left + (ms - begin) / span * plot; };
  const double lane = 26, lanes_top = 20;
  double latency_top = lanes_top + lane * static_cast<double>(s.probes.size()) + 20;
  const double latency_height = 80;
  double events_top = latency_top + latency_height + 20;
  double height = events_top + 16 * static_cast<double>(s.events.size()) + 10;
  std::string svg = fmt::format(
      "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "role=\"img\" aria-label=\"timeline of {}\">\n",
      width, height, escape_html(s.name));
  svg += fmt::format(
      "<rect class=\"fault\" x=\"{:.1f}\" y=\"0\" width=\"{:.1f}\" height=\"{}\" "
      "fill=\"#f6d5d5\"><title>fault: {}</title></rect>\n",
      x(s.fault_start_ms), std::max(1.0, x(s.fault_end_ms) - x(s.fault_start_ms)), height,
      escape_html(s.fault));
  for (std::size_t i = 0; i < s.probes.size(); ++i) {
    const ProbeRecord& probe = s.probes[i];
    double y = lanes_top + lane * static_cast<double>(i);
    svg += fmt::format("<text x=\"4\" y=\"{:.1f}\" font-size=\"12\">{}</text>\n", y + 14,
                       escape_html(probe.name));
    for (const TickRun& run : tick_runs(probe.attempts, x)) {
      // A failed run says why when hovered: the cause is what a reader looks for first.
      std::string title;
      if (!run.cause.empty())
        title = "<title>" + escape_html(run.cause) +
                (run.requests > 1 ? fmt::format(" ({} requests)", run.requests) : "") + "</title>";
      svg += fmt::format(
          "<rect class=\"attempt\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"18\" "
          "fill=\"{}\">{}</rect>\n",
          run.from, y, run.to - run.from, colour_of(run.outcome), title);
    }
    // The outage the verdict weighs, outlined: where in the scenario it fell is the first thing
    // a reader of a failed run asks.
    if (probe.unavailable_ms && probe.unavailable_from_ms)
      svg += fmt::format(
          "<rect class=\"outage\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"22\" "
          "fill=\"none\" stroke=\"#c62828\" stroke-width=\"1.5\"><title>longest outage {:.2f} s, "
          "from {}</title></rect>\n",
          x(*probe.unavailable_from_ms), y - 2,
          std::max(1.0, x(*probe.unavailable_from_ms + *probe.unavailable_ms) -
                            x(*probe.unavailable_from_ms)),
          *probe.unavailable_ms / 1000,
          escape_html(when_in_scenario(s, *probe.unavailable_from_ms)));
  }
  svg += fmt::format(
      "<text x=\"4\" y=\"{:.1f}\" font-size=\"12\">latency</text><text x=\"4\" y=\"{:.1f}\" "
      "font-size=\"10\">max {:.0f} ms</text>\n",
      latency_top + 14, latency_top + 28, max_latency);
  // One dot per half pixel and colour: thousands of requests land on the same few hundred spots,
  // and drawing each again only made the page heavier.
  std::set<std::tuple<long, long, bool>> drawn;
  for (const ProbeRecord& probe : s.probes)
    for (const Attempt& attempt : probe.attempts) {
      double latency = attempt.end_ms - attempt.start_ms;
      double cx = x(attempt.end_ms);
      double cy = latency_top + latency_height - latency / max_latency * latency_height;
      bool write = probe.name == "api-write";
      if (!drawn.emplace(std::lround(2 * cx), std::lround(2 * cy), write).second) continue;
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"1.5\" fill=\"{}\"/>\n", cx, cy,
                         write ? "#1565c0" : "#6a1b9a");
    }
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    const Event& event = s.events[i];
    double y = events_top + 16 * static_cast<double>(i);
    svg += fmt::format(
        "<line class=\"event\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"0\" y2=\"{1:.1f}\" "
        "stroke=\"#444\" stroke-dasharray=\"3,3\"/><text x=\"{2:.1f}\" y=\"{3:.1f}\" "
        "font-size=\"11\">{4:.2f} s {5}</text>\n",
        x(event.at_ms), y, std::min(x(event.at_ms) + 3, width - 300), y + 11, event.at_ms / 1000,
        escape_html(event.text));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace

namespace {

std::string over_the_runs_html(const DrillReport& report) {
  std::string out =
      "<h2>Over the runs</h2>\n<p>median / worst; * the worst began after the heal</p>\n"
      "<table id=\"over-the-runs\"><tr><th>scenario</th><th>tuning</th><th>runs</th>"
      "<th>pass</th><th>fail</th><th>inconclusive</th><th>api-write</th><th>api-read</th>"
      "<th>etcd-write</th><th>budget</th><th>lost writes</th></tr>\n";
  for (const auto& [tuning, summary] : rows_over_the_runs(report)) {
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"pass\">{}</td><td "
        "class=\"fail\">{}</td><td class=\"inconclusive\">{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
        escape_html(summary.name), escape_html(tuning->tuning), summary.runs, summary.passed,
        summary.failed, summary.inconclusive, median_and_worst(summary, "api-write"),
        median_and_worst(summary, "api-read"), median_and_worst(summary, "etcd-write"),
        seconds(summary.budget_ms), summary.acknowledged_writes_lost);
  }
  return out + "</table>\n";
}

// One tuning's criteria, runs and timelines. `prefix` keeps the anchors of a compared tuning
// apart from the plan's ("" for the plan's own, "kubeadm-guide-" for another).
std::string tuning_html(const DrillReport& report, const std::string& prefix) {
  // The plan's own tuning is the page's; a compared one is named in each heading.
  const std::string which = prefix.empty() ? "" : ", tuning " + escape_html(report.tuning);
  std::string out;
  if (!prefix.empty())
    out += fmt::format("<h2 class=\"tuning\" id=\"{}tuning\">Tuning {}, seed {}</h2>\n",
                       escape_html(prefix), escape_html(tuning_label(report)), report.seed);
  out += fmt::format(
      "<h2>Success criteria{}</h2>\n<table id=\"{}criteria\"><tr><th>criterion</th><th>met</th>"
      "<th>evidence</th></tr>\n",
      which, escape_html(prefix));
  for (const Criterion& criterion : criteria(report))
    out += fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
                       escape_html(criterion.name), criterion.met ? "pass" : "fail",
                       criterion.met ? "yes" : "no", escape_html(criterion.evidence));
  out += fmt::format(
      "</table>\n<h2>Scenarios{}</h2>\n<table id=\"{}summary\"><tr><th>scenario</th><th>run</th>"
      "<th>verdict</th><th>api-write</th><th>api-read</th><th>budget</th><th>lost writes</th>"
      "<th>linearizable</th></tr>\n",
      which, escape_html(prefix));
  for (const ScenarioResult& s : report.scenarios) {
    const ProbeRecord* write = probe_named(s, "api-write");
    const ProbeRecord* read = probe_named(s, "api-read");
    out += fmt::format(
        "<tr><td><a href=\"#{8}{0}-{1}\">{0}</a></td><td>{1}</td><td class=\"{2}\">{2}</td>"
        "<td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td></tr>\n",
        escape_html(s.name), s.run, to_string(s.verdict),
        seconds(write ? write->unavailable_ms : std::nullopt),
        seconds(read ? read->unavailable_ms : std::nullopt), seconds(s.predicted_outage_ms),
        s.acknowledged_writes_lost, s.linearizable ? (*s.linearizable ? "yes" : "no") : "undecided",
        escape_html(prefix));
  }
  out += "</table>\n";
  for (const ScenarioResult& s : report.scenarios) {
    out += fmt::format(
        "<section class=\"scenario\" id=\"{10}{0}-{1}\" data-verdict=\"{2}\">\n<h3>{0} (run "
        "{1}{11}): <span class=\"{2}\">{2}</span></h3>\n<p>{3}{4}</p>\n<p>fault: {5}; failover "
        "path: {6} ({7}); predicted outage at most {8} ({9})</p>\n",
        escape_html(s.name), s.run, to_string(s.verdict), escape_html(s.description),
        s.plan_name.empty() ? "" : " (cluster-plan.md: " + escape_html(s.plan_name) + ")",
        escape_html(s.fault), escape_html(s.failover_path),
        s.failover_path_seen ? "seen" : "NOT seen", seconds(s.predicted_outage_ms),
        escape_html(s.predicted_reason), escape_html(prefix), which);
    if (!s.reasons.empty()) {
      out += "<ul class=\"reasons\">\n";
      for (const std::string& reason : s.reasons) out += "<li>" + escape_html(reason) + "</li>\n";
      out += "</ul>\n";
    }
    for (const std::string& finding : s.findings)
      out += "<p class=\"finding\">finding: " + escape_html(finding) + "</p>\n";
    out += timeline_svg(s);
    if (s.status_during_fault)
      out += fmt::format(
          "<div class=\"status-during-fault\"><h4>zerospof status, {:.1f} s into the "
          "fault</h4>\n<pre>{}</pre></div>\n",
          (s.status_at_ms - s.fault_start_ms) / 1000,
          escape_html(status::report_text(*s.status_during_fault, util::Style(false))));
    out += "</section>\n";
  }
  for (const std::string& note : report.notes)
    out += "<p class=\"note\">" + escape_html(note) + "</p>\n";
  return out;
}

}  // namespace

std::string report_html(const DrillReport& report) {
  std::vector<std::string> compared;
  for (const DrillReport& other : report.compared) compared.push_back(escape_html(other.tuning));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>zerospof drill: {0}</title>\n<style>\n"
      "body {{ font-family: sans-serif; margin: 2em; color: #222; }}\n"
      "table {{ border-collapse: collapse; margin: 1em 0; }}\n"
      "td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}\n"
      ".pass {{ color: #2e7d32; font-weight: bold; }} .fail {{ color: #c62828; font-weight: "
      "bold; }} .inconclusive {{ color: #ef8f00; font-weight: bold; }}\n"
      "section.scenario {{ border-top: 2px solid #ddd; margin-top: 2em; }}\n"
      "h2.tuning {{ border-top: 4px solid #888; padding-top: 1em; margin-top: 3em; }}\n"
      "</style></head><body>\n<h1>zerospof drill: {0}</h1>\n"
      "<p>tuning <b>{1}</b>, seed {2}, endpoint {3}{4}</p>\n",
      escape_html(report.cluster), escape_html(tuning_label(report)), report.seed,
      escape_html(report.endpoint),
      compared.empty() ? ""
                       : fmt::format("; compared with tuning {} on the same cluster, re-applied "
                                     "for it and given the plan's tuning back after",
                                     fmt::join(compared, ", ")));
  if (worth_summarising(report)) out += over_the_runs_html(report);
  out += tuning_html(report, "");
  for (const DrillReport& other : report.compared) out += tuning_html(other, other.tuning + "-");
  out += "</body></html>\n";
  return out;
}

}  // namespace zerospof::drill
