// The drill's journal: what it keeps of a scenario run makes the same reports as the run itself;
// an interrupted run is not kept as done; a line torn by a crash is dropped and cut off before
// the next; a damaged line is an error naming file:line; a journal is never replaced.
#include "drill/journal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <utility>

#include "drill/drill.h"
#include "drill/report.h"
#include "support/scratch_directory.h"
#include "util/files.h"

namespace zerospof::drill {
namespace {

// A run with every field set that a report shows, and some it does not.
ScenarioResult full_run(const std::string& name, int run) {
  ScenarioResult s{.name = name,
                   .plan_name = "kube-apiserver stopped",
                   .description = "a <fault> & \"quotes\"",
                   .run = run,
                   .target_node = "cloudserver1",
                   .must_stay_ready = {"cloudserver2", "cloudserver3"},
                   .fault = "sigkill zerospof-kube-apiserver.service on cloudserver1",
                   .fault_start_ms = 2000.25,
                   .fault_end_ms = 12000.5,
                   .healthy_ms = 13100.125};
  ProbeRecord write{.name = "api-write",
                    .unavailable_ms = 420.5,
                    .unavailable_from_ms = 2680,
                    .unavailable_unpaused_ms = 400,
                    .ok = 2,
                    .failed = 1,
                    .unknown = 1,
                    .conflicts = 1,
                    .causes = {{"Timeout was reached", 1}, {"HTTP 503", 1}}};
  write.attempts = {{0, 1000, 1030.0625, AttemptOutcome::kOk, ""},
                    {1, 2100, 3100, AttemptOutcome::kUnknown, "Timeout was reached"},
                    {0, 2500, 2520, AttemptOutcome::kFailed, "HTTP 503"},
                    {2, 2600, 2610, AttemptOutcome::kConflict, "HTTP 409 Conflict"},
                    {1, 3200, 3230, AttemptOutcome::kOk, ""}};
  ProbeRecord readyz{.name = "readyz cloudserver1", .judged = false};  // never ran: no figures
  s.probes = {write, readyz};
  s.drill_pauses = {{5000, 5300}};
  s.events = {{2000, "fault", s.fault},
              {2600, "vip", "VIP on cloudserver2"},
              {9000, "node", "cloudserver1 NotReady", "cloudserver1", false}};
  s.linearizable = std::nullopt;  // undecided: kept as such, not as false
  s.linearizability_detail = "the checker gave up after 10 s";
  s.acknowledged_writes = 2;
  s.acknowledged_writes_lost = 1;
  s.failover_path_seen = true;
  s.failover_path = "HAProxy marks the backend down";
  s.etcd_hashes_equal = true;
  s.watch = WatchCheck{.delivered = false, .events = 3, .missing = 1, .problems = {"gap at 7"}};
  s.check =
      CheckPrediction{.scenario = "node cloudserver1 down",
                      .worst = "degraded",
                      .services = {{"etcd", "degraded", "2 of 3 members left, quorum (2) kept"}}};
  s.predicted_outage_ms = 1000;
  s.predicted_reason = "HAProxy's check: 3 x 200 ms";
  s.pods_rescheduled_ms = 11300;
  s.predicted_reschedule_ms = 15000;
  status::ClusterStatus during{.cluster = "homelab", .health = status::Health::kDegraded};
  during.components = {{.name = "apiservers",
                        .health = status::Health::kDegraded,
                        .detail = "2/3 ready",
                        .tolerates = 0}};
  during.etcd.members = {{.node = "cloudserver2",
                          .answered = true,
                          .leader = true,
                          .member_id = 18446744073709551615u,
                          .raft_term = 7}};
  during.etcd.leader = "cloudserver2";
  during.nodes = {{.name = "cloudserver1",
                   .health = status::Health::kDown,
                   .units = {{"zerospof-etcd.service", "active", true, 3}},
                   .problems = {"does not answer over ssh"}}};
  during.workloads = {{.kind = "Deployment",
                       .namespace_name = "kube-system",
                       .name = "coredns",
                       .desired = 3,
                       .ready = 2,
                       .ready_on = {{"cloudserver2", 1}, {"cloudserver3", 1}}}};
  during.leases = {{.namespace_name = "kube-system",
                    .name = "kube-scheduler",
                    .holder = "cloudserver2",
                    .renewed_seconds_ago = 0.5,
                    .duration_seconds = 4}};
  during.stuck_attachments = {{.name = "csi-1", .node = "cloudserver1", .attached = true}};
  during.soonest =
      status::CertificateStatus{"cloudserver1", "/etc/zerospof/pki/apiserver.crt", 364.5};
  s.status_during_fault = during;
  s.status_at_ms = 7000;
  s.verdict = Verdict::kFail;
  s.reasons = {"1 acknowledged write lost"};
  s.findings = {"check predicted ok"};
  s.history.operations.resize(3);  // judged already: not kept
  return s;
}

DrillReport tuning_of(const std::string& tuning, std::size_t planned) {
  return DrillReport{.cluster = "homelab",
                     .tuning = tuning,
                     .seed = 81,
                     .endpoint = "https://198.18.0.2:6443",
                     .scenario_runs_planned = planned,
                     .notes = {"etcd-write: not measured"}};
}

JournalHeader header() {
  return JournalHeader{.cluster = "homelab",
                       .tuning = "fast",
                       .scenarios = {"apiserver-killed", "worker-down"},
                       .runs = 5,
                       .seed = 81,
                       .compare_tunings = {"kubeadm-guide"},
                       .fault_seconds = 25,
                       .lab = true,
                       .host_down = "crash",
                       .json_file = "/tmp/r.json",
                       .started = "2026-12-07T18:55:00Z"};
}

class JournalTest : public ::testing::Test {
 protected:
  testing::ScratchDirectory scratch_{"zerospof-journal-test"};
  std::string path_ = scratch_.path() + "/journal.jsonl";
};

TEST_F(JournalTest, AJournaledRunMakesTheSameReportsAsTheRunItself) {
  DrillReport fast = tuning_of("fast", 2), guide = tuning_of("kubeadm-guide", 2);
  fast.tuning_customised = true;  // lab.yaml's own node timings
  fast.scenarios = {full_run("apiserver-killed", 1), full_run("worker-down", 1)};
  fast.scenarios[1].linearizable = true;
  fast.scenarios[1].status_during_fault.reset();
  fast.scenarios[1].status_unanswered_ms = 6000;
  guide.scenarios = {full_run("apiserver-killed", 1)};
  {
    auto writer = JournalWriter::create(path_, header());
    ASSERT_TRUE(writer) << util::format_error(writer.error());
    ASSERT_TRUE(writer->add_tuning(fast));
    for (const ScenarioResult& run : fast.scenarios)
      ASSERT_TRUE(writer->add_scenario(journal_key(fast), run));
    ASSERT_TRUE(writer->add_tuning(guide));
    ASSERT_TRUE(writer->add_scenario("kubeadm-guide", guide.scenarios[0]));
  }
  auto loaded = load_journal(path_);
  ASSERT_TRUE(loaded) << util::format_error(loaded.error());
  EXPECT_EQ(loaded->header.scenarios, header().scenarios);
  EXPECT_EQ(loaded->header.compare_tunings, header().compare_tunings);
  EXPECT_EQ(loaded->header.fault_seconds, 25);
  EXPECT_EQ(loaded->header.started, "2026-12-07T18:55:00Z");
  ASSERT_EQ(loaded->tunings.size(), 2u);
  EXPECT_EQ(loaded->tunings[0].tuning, "fast");
  EXPECT_TRUE(tuning_complete(loaded->tunings[0]));
  EXPECT_FALSE(tuning_complete(loaded->tunings[1])) << "1 of its 2 runs";
  // The reports are the oracle: every field they show came back as it was.
  DrillReport original = fast, again = loaded->tunings[0];
  original.compared = {guide};
  again.compared = {loaded->tunings[1]};
  EXPECT_EQ(report_json(again), report_json(original));
  EXPECT_EQ(report_html(again), report_html(original));
  EXPECT_EQ(report_text(again), report_text(original));
  // And what they do not show.
  const ScenarioResult& run = again.scenarios[0];
  EXPECT_EQ(run.must_stay_ready, fast.scenarios[0].must_stay_ready);
  EXPECT_EQ(run.events[2].node, "cloudserver1");
  EXPECT_FALSE(run.probes[1].judged);
  EXPECT_FALSE(run.linearizable.has_value()) << "undecided stays undecided";
  ASSERT_TRUE(run.status_during_fault);
  EXPECT_EQ(run.status_during_fault->etcd.members[0].member_id, 18446744073709551615u);
  EXPECT_TRUE(run.history.operations.empty()) << "the history was judged; it is not kept";
}

TEST_F(JournalTest, AnInterruptedRunIsNotKeptAndALaterRunOfTheSameReplacesIt) {
  {
    auto writer = JournalWriter::create(path_, header());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->add_tuning(tuning_of("fast", 2)));
    ScenarioResult cut = full_run("worker-down", 1);
    cut.interrupted = true;
    ASSERT_TRUE(writer->add_scenario("fast", full_run("apiserver-killed", 1)));
    ASSERT_TRUE(writer->add_scenario("fast", cut));
  }
  auto stopped = load_journal(path_);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->interrupted_runs, 1u);
  EXPECT_EQ(stopped->tunings[0].scenarios.size(), 1u) << "the run cut short is not kept";
  {  // the resumed drill: its tuning's line again, then the run it cut short
    auto writer = JournalWriter::reopen(path_);
    ASSERT_TRUE(writer);
    DrillReport resumed = tuning_of("fast", 2);
    resumed.endpoint = "https://198.18.0.3:6443";
    ASSERT_TRUE(writer->add_tuning(resumed));
    ScenarioResult again = full_run("worker-down", 1);
    again.verdict = Verdict::kPass;
    ASSERT_TRUE(writer->add_scenario("fast", again));
  }
  auto loaded = load_journal(path_);
  ASSERT_TRUE(loaded) << util::format_error(loaded.error());
  EXPECT_EQ(loaded->interrupted_runs, 0u) << "made again since";
  ASSERT_EQ(loaded->tunings.size(), 1u);
  const DrillReport& fast = loaded->tunings[0];
  EXPECT_EQ(fast.endpoint, "https://198.18.0.3:6443") << "the later tuning line's fields";
  ASSERT_EQ(fast.scenarios.size(), 2u) << "the runs before the resume are kept";
  EXPECT_EQ(fast.scenarios[1].name, "worker-down");
  EXPECT_EQ(fast.scenarios[1].verdict, Verdict::kPass);
  EXPECT_FALSE(fast.scenarios[1].interrupted);
  EXPECT_TRUE(tuning_complete(fast));
}

TEST_F(JournalTest, ALineTornByACrashIsDroppedAndCutOffBeforeTheNext) {
  {
    auto writer = JournalWriter::create(path_, header());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->add_tuning(tuning_of("fast", 2)));
    ASSERT_TRUE(writer->add_scenario("fast", full_run("apiserver-killed", 1)));
  }
  std::ofstream(path_, std::ios::app) << R"({"of":"fast","scenario":{"name":"work)";
  auto torn = load_journal(path_);
  ASSERT_TRUE(torn) << util::format_error(torn.error());
  EXPECT_EQ(torn->torn_lines, 1u);
  EXPECT_EQ(torn->tunings[0].scenarios.size(), 1u);
  {
    auto writer = JournalWriter::reopen(path_);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->add_scenario("fast", full_run("worker-down", 1)));
  }
  auto mended = load_journal(path_);
  ASSERT_TRUE(mended) << util::format_error(mended.error());
  EXPECT_EQ(mended->torn_lines, 0u);
  EXPECT_EQ(mended->tunings[0].scenarios.size(), 2u);
}

TEST_F(JournalTest, ADamagedLineIsAnErrorNamingFileAndLine) {
  {
    auto writer = JournalWriter::create(path_, header());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->add_tuning(tuning_of("fast", 2)));
  }
  std::ofstream(path_, std::ios::app) << R"({"of":"fast","scenario":{"run":"one"}})"
                                      << "\n"
                                      << R"({"of":"fast","scenario":{}})"
                                      << "\n";
  auto loaded = load_journal(path_);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().where.file, path_);
  EXPECT_EQ(loaded.error().where.line, 3);
  EXPECT_NE(loaded.error().hint.find("--resume"), std::string::npos);

  ASSERT_TRUE(util::write_file_atomic(path_, "{\"of\":\"fast\"}\n", {.overwrite = true}));
  auto headless = load_journal(path_);
  ASSERT_FALSE(headless);
  EXPECT_EQ(headless.error().where.line, 1);
  EXPECT_NE(headless.error().message.find("names no journal"), std::string::npos);

  std::ofstream(scratch_.path() + "/text") << "not json\n";
  auto text = load_journal(scratch_.path() + "/text");
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("not a JSON object"), std::string::npos);
}

TEST_F(JournalTest, AScenarioRunOfATuningThatNeverStartedIsRefused) {
  {
    auto writer = JournalWriter::create(path_, header());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->add_scenario("fast", full_run("worker-down", 1)));
  }
  auto loaded = load_journal(path_);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().where.line, 2);
}

// A plan of fast with timings of its own compared with fast's own: two tunings of one profile,
// kept apart.
TEST_F(JournalTest, TwoTuningsOfOneProfileAreKeptApart) {
  DrillReport plan = tuning_of("fast", 1), profile = tuning_of("fast", 1);
  plan.tuning_customised = true;
  EXPECT_NE(journal_key(plan), journal_key(profile));
  {
    auto writer = JournalWriter::create(path_, header());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->add_tuning(plan));
    ASSERT_TRUE(writer->add_scenario(journal_key(plan), full_run("apiserver-killed", 1)));
    ASSERT_TRUE(writer->add_tuning(profile));
  }
  auto loaded = load_journal(path_);
  ASSERT_TRUE(loaded) << util::format_error(loaded.error());
  ASSERT_EQ(loaded->tunings.size(), 2u);
  EXPECT_TRUE(tuning_complete(*journal_tuning(*loaded, journal_key(plan))));
  EXPECT_TRUE(journal_tuning(*loaded, "fast")->scenarios.empty());
}

// Whether the plan's tuning went back on after another was applied: a drill killed before it
// left the cluster on the other, and the resumed one must know.
TEST_F(JournalTest, ItKnowsWhetherThePlansTuningWentBackOn) {
  auto writer = JournalWriter::create(path_, header());
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->add_tuning(tuning_of("fast", 1)));
  EXPECT_TRUE(load_journal(path_)->plan_tuning_restored) << "nothing else applied yet";
  ASSERT_TRUE(writer->add_applying("kubeadm-guide"));  // before apply starts
  EXPECT_FALSE(load_journal(path_)->plan_tuning_restored);
  ASSERT_TRUE(writer->add_tuning(tuning_of("kubeadm-guide", 1)));
  EXPECT_FALSE(load_journal(path_)->plan_tuning_restored);
  ASSERT_TRUE(writer->add_plan_tuning_restored());
  EXPECT_TRUE(load_journal(path_)->plan_tuning_restored);
  ASSERT_TRUE(writer->add_tuning(tuning_of("kubeadm-guide", 1)));  // resumed, applied again
  EXPECT_FALSE(load_journal(path_)->plan_tuning_restored);
}

// A line that could not be written whole (here the file-size limit: EFBIG, as a full disk gives
// ENOSPC) is cut off again and nothing more is added: the journal loads with what came before.
TEST_F(JournalTest, AFailedWriteLeavesTheJournalLoadableAndEndsIt) {
  auto writer = JournalWriter::create(path_, header());
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->add_tuning(tuning_of("fast", 2)));
  ASSERT_TRUE(writer->add_scenario("fast", full_run("apiserver-killed", 1)));
  const auto before = std::filesystem::file_size(path_);
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &previous), 0);
  rlimit limit{}, saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  limit = saved;
  limit.rlim_cur = before + 100;  // room for 100 bytes of the next line
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  auto failed = writer->add_scenario("fast", full_run("worker-down", 1));
  setrlimit(RLIMIT_FSIZE, &saved);
  sigaction(SIGXFSZ, &previous, nullptr);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("nothing more is added"), std::string::npos);
  EXPECT_EQ(std::filesystem::file_size(path_), before) << "the torn line is cut off again";
  EXPECT_FALSE(writer->add_scenario("fast", full_run("worker-down", 2))) << "ended";
  EXPECT_EQ(std::filesystem::file_size(path_), before);
  auto loaded = load_journal(path_);
  ASSERT_TRUE(loaded) << util::format_error(loaded.error());
  EXPECT_EQ(loaded->torn_lines, 0u);
  EXPECT_EQ(loaded->tunings[0].scenarios.size(), 1u);
}

// A header edited by hand is checked as the command's flags are.
TEST_F(JournalTest, AHeaderTheCommandWouldRefuseIsAnError) {
  for (auto edit : std::vector<std::function<void(JournalHeader&)>>{
           [](JournalHeader& h) { h.runs = 0; }, [](JournalHeader& h) { h.fault_seconds = 100000; },
           [](JournalHeader& h) { h.host_down = "unplug"; },
           [](JournalHeader& h) { h.compare_tunings = {"fastest"}; },
           [](JournalHeader& h) { h.scenarios.clear(); }}) {
    std::filesystem::remove(path_);
    JournalHeader bad = header();
    edit(bad);
    ASSERT_TRUE(JournalWriter::create(path_, bad));
    auto loaded = load_journal(path_);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().where.line, 1);
    EXPECT_NE(loaded.error().message.find("its header holds"), std::string::npos)
        << loaded.error().message;
  }
}

// The header's numbers are checked against the ranges the command's flags take (drill.h): each
// range's ends load, and one step beyond either end does not.
TEST_F(JournalTest, TheHeadersNumbersLoadExactlyWithinTheCommandsRanges) {
  const std::vector<std::pair<SettingRange, int JournalHeader::*>> settings = {
      {kRunsRange, &JournalHeader::runs},
      {kFaultSecondsRange, &JournalHeader::fault_seconds},
      {kTtlMarginSecondsRange, &JournalHeader::ttl_margin_seconds},
      {kRecoverySecondsRange, &JournalHeader::recovery_seconds}};
  for (const auto& [range, field] : settings) {
    for (const auto& [value, loads] :
         std::vector<std::pair<int, bool>>{{range.lowest, true},
                                           {range.highest, true},
                                           {range.lowest - 1, false},
                                           {range.highest + 1, false}}) {
      std::filesystem::remove(path_);
      JournalHeader edited = header();
      edited.*field = value;
      ASSERT_TRUE(JournalWriter::create(path_, edited));
      EXPECT_EQ(load_journal(path_).has_value(), loads) << value;
    }
  }
}

TEST_F(JournalTest, ThePlansShapeNamesItsNodesAndEveryTiming) {
  model::Cluster cluster;
  cluster.nodes = {{.name = "a", .roles = {model::Role::kControlPlane}}, {.name = "b"}};
  const std::string shape = plan_shape(cluster);
  EXPECT_EQ(shape.rfind("a(control-plane) b() ; fast: vrrp_advert_interval_ms=200", 0), 0u)
      << shape;
  cluster.tuning.node_monitor_grace_period_ms = 9000;
  EXPECT_NE(plan_shape(cluster), shape);
  EXPECT_NE(plan_shape(cluster).find("node_monitor_grace_period_ms=9000"), std::string::npos);
}

// The first journals (version 1) put a plan's runs under its profile's name alone, also when the
// plan set timings of its own, and wrote no line for a tuning going on or back: they still load.
TEST_F(JournalTest, AFirstVersionJournalStillLoads) {
  std::ofstream(path_)
      << R"({"format":"zerospof drill journal","version":1,"header":{"cluster":"homelab",)"
      << R"("tuning":"fast","all":true,"runs":5,"seed":91,"host_down":"crash"}})"
      << "\n"
      << R"({"tuning":{"cluster":"homelab","tuning":"fast","tuningCustomised":true,)"
      << R"("scenarioRunsPlanned":85}})"
      << "\n"
      << R"({"of":"fast","scenario":{"name":"worker-down","run":1,"verdict":"pass"}})"
      << "\n"
      << R"({"tuning":{"cluster":"homelab","tuning":"kubeadm-guide","scenarioRunsPlanned":85}})"
      << "\n";
  auto loaded = load_journal(path_);
  ASSERT_TRUE(loaded) << util::format_error(loaded.error());
  ASSERT_EQ(loaded->tunings.size(), 2u);
  ASSERT_EQ(loaded->tunings[0].scenarios.size(), 1u);
  EXPECT_EQ(loaded->tunings[0].scenarios[0].verdict, Verdict::kPass);
  EXPECT_FALSE(loaded->plan_tuning_restored) << "the guide's tuning went on; nothing said after";
}

TEST_F(JournalTest, AJournalIsNeverReplaced) {
  std::ofstream(path_) << "an operator's file\n";
  auto writer = JournalWriter::create(path_, header());
  ASSERT_FALSE(writer);
  EXPECT_NE(writer.error().hint.find("--resume " + path_), std::string::npos);
  EXPECT_EQ(*util::read_file(path_), "an operator's file\n");
}

}  // namespace
}  // namespace zerospof::drill
