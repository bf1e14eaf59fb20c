// The drill's reports from a made-up DrillReport: the JSON holds the documented fields, the text
// names every scenario, and the HTML page renders in headless Chromium with every scenario and
// its timeline.
#include "drill/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "util/files.h"
#include "util/process.h"

namespace zerospof::drill {
namespace {

DrillReport sample() {
  DrillReport report{
      .cluster = "homelab", .tuning = "fast", .seed = 7, .endpoint = "https://198.18.0.2:6443"};
  for (const char* name : {"apiserver-killed", "primary-down"}) {
    ScenarioResult s{.name = name, .description = "a <fault> & more", .run = 1};
    s.fault = std::string("sigkill on ") + name;
    s.fault_start_ms = 2000;
    s.fault_end_ms = 12000;
    s.healthy_ms = 13000;
    ProbeRecord write{
        .name = "api-write", .unavailable_ms = 420, .unavailable_from_ms = 2680, .ok = 3};
    write.attempts = {{0, 1000, 1030, AttemptOutcome::kOk},
                      {1, 2100, 3100, AttemptOutcome::kUnknown},
                      {0, 2500, 2520, AttemptOutcome::kFailed},
                      {1, 3200, 3230, AttemptOutcome::kOk}};
    ProbeRecord read{.name = "api-read", .unavailable_ms = 300};
    read.attempts = {{0, 900, 950, AttemptOutcome::kOk}};
    s.probes = {write, read};
    s.events = {{2000, "fault", s.fault}, {2600, "vip", "VIP on cloudserver1"}};
    s.linearizable = true;
    s.acknowledged_writes = 2;
    s.etcd_hashes_equal = true;
    s.predicted_outage_ms = 1000;
    s.verdict = std::string(name) == "primary-down" ? Verdict::kFail : Verdict::kPass;
    if (s.verdict == Verdict::kFail) {
      s.reasons = {"api-write unavailable 4.05 s"};
      // What status said half way through: the crashed host down, the endpoint on another.
      status::ClusterStatus during{.cluster = "homelab", .health = status::Health::kDegraded};
      during.components = {
          {.name = "etcd", .detail = "3/3 members healthy"},
          {.name = "apiservers", .health = status::Health::kDegraded, .detail = "2/3 ready"}};
      during.nodes = {{.name = "cloudserver1",
                       .health = status::Health::kDown,
                       .problems = {"does not answer over ssh: <timeout>"}},
                      {.name = "cloudserver2", .reachable = true, .holds_vip = true}};
      s.status_during_fault = during;
      s.status_at_ms = 7000;
    }
    report.scenarios.push_back(s);
  }
  report.notes = {"etcd-write: not measured"};
  return report;
}

TEST(DrillReportTest, JsonHoldsTheDocumentedFieldsPerScenario) {
  auto json = nlohmann::json::parse(report_json(sample()));
  ASSERT_EQ(json["scenarios"].size(), 2u);
  const auto& first = json["scenarios"][0];
  EXPECT_EQ(first["name"], "apiserver-killed");
  EXPECT_EQ(first["verdict"], "pass");
  EXPECT_EQ(first["acknowledgedWritesLost"], 0);
  EXPECT_EQ(first["linearizable"], true);
  EXPECT_DOUBLE_EQ(first["unavailableSeconds"]["api-write"].get<double>(), 0.42);
  EXPECT_DOUBLE_EQ(first["unavailableSeconds"]["api-read"].get<double>(), 0.3);
  EXPECT_TRUE(first["unavailableSeconds"]["etcd-write"].is_null());
  // When the longest outage began, after the fault's start: it came with the fault here.
  EXPECT_NEAR(first["outageStartSeconds"]["api-write"].get<double>(), 0.68, 1e-9);
  EXPECT_TRUE(first["outageStartSeconds"]["api-read"].is_null());
  EXPECT_DOUBLE_EQ(first["predicted"]["unavailableSeconds"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(first["recoverySeconds"].get<double>(), 1.0);
  EXPECT_EQ(json["scenarios"][1]["verdict"], "fail");
  EXPECT_TRUE(first["statusDuringFault"].is_null());
  const auto& during = json["scenarios"][1]["statusDuringFault"];
  EXPECT_DOUBLE_EQ(during["atSeconds"].get<double>(), 7.0);
  EXPECT_EQ(during["status"]["health"], "degraded");
  EXPECT_EQ(during["status"]["nodes"][0]["health"], "down");
  EXPECT_EQ(json["seed"], 7);
  EXPECT_EQ(json["criteria"].size(), 3u);
  EXPECT_EQ(json["interrupted"], false);
  EXPECT_EQ(first["interrupted"], false);
  EXPECT_EQ(json["scenarioRunsPlanned"], 0);
  DrillReport stopped = sample();
  stopped.scenario_runs_planned = 6;
  stopped.interrupted = true;
  stopped.scenarios[1].interrupted = true;
  auto partial = nlohmann::json::parse(report_json(stopped));
  EXPECT_EQ(partial["scenarios"][1]["interrupted"], true);
  EXPECT_EQ(partial["interrupted"], true);
  EXPECT_EQ(partial["scenarioRunsPlanned"], 6);
}

TEST(DrillReportTest, TextNamesEveryScenarioItsVerdictAndWhy) {
  std::string text = report_text(sample());
  EXPECT_NE(text.find("apiserver-killed"), std::string::npos);
  EXPECT_NE(text.find("primary-down"), std::string::npos);
  EXPECT_NE(text.find("why: api-write unavailable 4.05 s"), std::string::npos) << text;
  EXPECT_NE(text.find("NOT MET Every failover within the budget"), std::string::npos) << text;
  EXPECT_NE(text.find("status 5.0 s into the fault: degraded: apiservers degraded (2/3 ready); "
                      "node cloudserver1 down (does not answer over ssh: <timeout>)"),
            std::string::npos)
      << text;
}

TEST(DrillReportTest, AStatusThatDidNotAnswerInTimeIsSaidAndLeftOut) {
  DrillReport report = sample();
  report.scenarios[0].status_unanswered_ms = 16200;
  std::string text = report_text(report);
  EXPECT_NE(text.find("status: no answer 16.2 s after it was asked, by the fault's end; the fault "
                      "was not held longer for it"),
            std::string::npos)
      << text;
  auto json = nlohmann::json::parse(report_json(report));
  EXPECT_DOUBLE_EQ(json["scenarios"][0]["statusUnansweredSeconds"].get<double>(), 16.2);
  EXPECT_TRUE(json["scenarios"][1]["statusUnansweredSeconds"].is_null());
}

TEST(DrillReportTest, ChecksPredictionIsSaidWithWhatGoesDownFirst) {
  DrillReport report = sample();
  CheckPrediction check{.scenario = "nodes cloudserver3+blackboar down", .worst = "down"};
  for (int i = 0; i < 6; ++i)
    check.services.push_back({"deployment/app/web-" + std::to_string(i), "degraded", "1 of 2"});
  check.services.push_back({"deployment/monitoring/grafana", "down", "0 of 2 replicas left"});
  report.scenarios[0].check = check;
  std::string text = report_text(report);
  EXPECT_NE(text.find("check predicted (nodes cloudserver3+blackboar down): down; "
                      "deployment/monitoring/grafana down, deployment/app/web-0 degraded"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("and 2 more"), std::string::npos) << text;
  auto json = nlohmann::json::parse(report_json(report));
  EXPECT_EQ(json["scenarios"][0]["predicted"]["check"]["services"].size(), 7u);
  EXPECT_TRUE(json["scenarios"][1]["predicted"]["check"].is_null());
}

// The DOM after Chromium parsed and laid out `html`; nullopt (the test skipped) without Chromium.
std::optional<std::string> dom_in_chromium(const std::string& html) {
  std::string chromium = "/usr/bin/chromium-headless-shell";
  if (!std::filesystem::exists(chromium)) return std::nullopt;
  auto dir = std::filesystem::temp_directory_path() /
             ("zerospof-drill-report-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string page = (dir / "report.html").string();
  EXPECT_TRUE(util::write_file_atomic(page, html, {.overwrite = true}));
  auto dom =
      util::run({chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 "--user-data-dir=" + (dir / "profile").string(), "--dump-dom", "file://" + page},
                {.timeout = std::chrono::seconds(60)});
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(dom.has_value());
  if (!dom) return std::string{};
  EXPECT_EQ(dom->exit_code, 0) << dom->err;
  return dom->out;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(DrillReportTest, HtmlRendersInHeadlessChromiumWithEveryScenarioAndItsTimeline) {
  std::string html = report_html(sample());
  EXPECT_EQ(html.find("<script"), std::string::npos) << "the report is static";
  EXPECT_EQ(html.find("a <fault>"), std::string::npos) << "text is escaped";
  // Every scenario's section and its SVG (with the fault shaded and a tick per attempt) made it
  // through the HTML parser.
  auto dom = dom_in_chromium(html);
  if (!dom) GTEST_SKIP() << "chromium-headless-shell is not installed (scripts/install-deps.sh)";
  for (const char* expected :
       {"id=\"apiserver-killed-1\"", "id=\"primary-down-1\"", "class=\"timeline\"",
        "class=\"fault\"", "class=\"attempt\"", "VIP on cloudserver1", "id=\"criteria\"",
        "class=\"outage\"", "longest outage 0.42 s, from 0.7 s into the fault",
        "Zero data loss in all failover scenarios", "a &lt;fault&gt; &amp; more",
        "class=\"status-during-fault\"", "5.0 s into the fault", "[VIP]",
        "does not answer over ssh: &lt;timeout&gt;"})
    EXPECT_NE(dom->find(expected), std::string::npos) << expected;
  EXPECT_EQ(count_of(*dom, "<section class=\"scenario\""), 2u);
  EXPECT_EQ(dom->find("id=\"over-the-runs\""), std::string::npos)
      << "one run of each, one tuning: nothing to summarise";
}

TEST(DrillReportTest, TouchingTicksOfOneOutcomeAreDrawnAsOneAndFailuresOnTop) {
  // 20,000 answered requests every 50 ms, with 40 timed out in the middle: once a rectangle and a
  // dot each (about 3 MB for this one lane), now a few runs; the failures keep their cause, count
  // and place, drawn after the successes so that none hides them.
  DrillReport report = sample();
  ScenarioResult& scenario = report.scenarios.front();
  ProbeRecord& write = scenario.probes.front();
  write.attempts.clear();
  for (int i = 0; i < 20000; ++i) {
    bool timed_out = i >= 10000 && i < 10040;
    write.attempts.push_back({i % 4, 50.0 * i, 50.0 * i + (timed_out ? 1000 : 20),
                              timed_out ? AttemptOutcome::kFailed : AttemptOutcome::kOk,
                              timed_out ? "Timeout was reached" : ""});
  }
  std::string html = report_html(report);
  EXPECT_LT(html.size(), 300'000u);
  std::size_t failed = html.find("<title>Timeout was reached (40 requests)</title>");
  ASSERT_NE(failed, std::string::npos);
  std::size_t last_answered = html.rfind("fill=\"#2e7d32\"", failed);
  std::size_t lane_start = html.find("api-write</text>");
  EXPECT_NE(last_answered, std::string::npos);
  EXPECT_GT(last_answered, lane_start) << "the answered runs come first, in the same lane";
  EXPECT_LT(count_of(html, "class=\"attempt\""), 20u);
}

// The plan's tuning beside the kubeadm guide's, two runs of each scenario.
DrillReport compared_sample() {
  DrillReport report = sample();
  DrillReport first_runs = report;
  for (ScenarioResult run : first_runs.scenarios) {
    run.run = 2;
    for (ProbeRecord& probe : run.probes)
      if (probe.unavailable_ms) *probe.unavailable_ms += 200;
    report.scenarios.push_back(run);
  }
  DrillReport guide = report;
  guide.tuning = "kubeadm-guide";
  for (ScenarioResult& run : guide.scenarios) {
    run.predicted_outage_ms = 3810;
    for (ProbeRecord& probe : run.probes)
      if (probe.unavailable_ms) *probe.unavailable_ms *= 5;
  }
  report.tuning_customised = true;
  report.compared.push_back(guide);
  return report;
}

TEST(DrillReportTest, ComparedTuningsAreSummarisedSideBySide) {
  DrillReport report = compared_sample();
  std::string text = report_text(report);
  EXPECT_NE(text.find("drill of homelab (tuning fast, with the plan's own timings, seed 7)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("drill of homelab (tuning kubeadm-guide, seed 7)"), std::string::npos);
  std::size_t over = text.find("over the runs, median / worst");
  ASSERT_NE(over, std::string::npos) << text;
  // Per scenario, the plan's tuning's row and then the guide's: api-write 0.42 and 0.62 s
  // (median 0.52 s, worst 0.62 s) against five times that.
  std::size_t fast_row = text.find("apiserver-killed                   fast", over);
  std::size_t guide_row = text.find("apiserver-killed                   kubeadm-guide", over);
  ASSERT_NE(fast_row, std::string::npos) << text.substr(over);
  ASSERT_NE(guide_row, std::string::npos) << text.substr(over);
  EXPECT_LT(fast_row, guide_row);
  EXPECT_NE(text.find("0.52 / 0.62 s", fast_row), std::string::npos) << text.substr(over);
  EXPECT_NE(text.find("2.60 / 3.10 s", guide_row), std::string::npos) << text.substr(over);
  EXPECT_NE(text.find("3.81 s", guide_row), std::string::npos) << "the guide's own budget";

  auto json = nlohmann::json::parse(report_json(report));
  EXPECT_EQ(json["tuningCustomised"], true);
  ASSERT_EQ(json["summary"].size(), 2u);
  const auto& killed = json["summary"][0];
  EXPECT_EQ(killed["name"], "apiserver-killed");
  EXPECT_EQ(killed["runs"], 2);
  EXPECT_EQ(killed["verdicts"]["pass"], 2);
  EXPECT_NEAR(killed["unavailableSeconds"]["api-write"]["medianSeconds"].get<double>(), 0.52, 1e-9);
  EXPECT_NEAR(killed["unavailableSeconds"]["api-write"]["worstSeconds"].get<double>(), 0.62, 1e-9);
  EXPECT_FALSE(killed["unavailableSeconds"].contains("etcd-write")) << "not probed";
  EXPECT_TRUE(killed["podsRescheduled"].is_null());
  ASSERT_EQ(json["compared"].size(), 1u);
  EXPECT_EQ(json["compared"][0]["tuning"], "kubeadm-guide");
  EXPECT_EQ(json["compared"][0]["scenarios"].size(), 4u);
  EXPECT_NEAR(json["compared"][0]["summary"][0]["unavailableSeconds"]["api-write"]["worstSeconds"]
                  .get<double>(),
              3.1, 1e-9);

  auto dom = dom_in_chromium(report_html(report));
  if (!dom) GTEST_SKIP() << "chromium-headless-shell is not installed (scripts/install-deps.sh)";
  for (const char* expected : {"id=\"over-the-runs\"", "compared with tuning kubeadm-guide",
                               "id=\"criteria\"", "id=\"kubeadm-guide-criteria\"",
                               "id=\"primary-down-2\"", "id=\"kubeadm-guide-primary-down-2\"",
                               "href=\"#kubeadm-guide-apiserver-killed-1\"", "2.60 / 3.10 s"})
    EXPECT_NE(dom->find(expected), std::string::npos) << expected;
  EXPECT_EQ(count_of(*dom, "<section class=\"scenario\""), 8u) << "4 runs for each tuning";
}

}  // namespace
}  // namespace zerospof::drill
