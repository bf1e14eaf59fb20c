// Runner: dependency order, failure containment, journal before progress, bounded parallelism,
// idempotent reruns and convergence after an interrupted run, all against in-memory hosts.
#include "apply/runner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "support/faulty_transport.h"
#include "support/recording_transport.h"
#include "util/files.h"

namespace zerospof::apply {
namespace {

using testing::FaultyTransport;
using testing::RecordingTransport;

// A step that ensures `path` on `host` holds `content`: the shape of most real steps.
Step file_step(const std::string& host, const std::string& path,
               std::vector<std::string> deps = {}) {
  std::string content = "content of " + path;
  return Step{
      .id = path + "@" + host,
      .host = host,
      .summary = "write " + path,
      .deps = std::move(deps),
      .check = [=](transport::Transport& t) -> util::Result<bool> {
        ZEROSPOF_ASSIGN_OR_RETURN(auto current, t.get_file(host, path));
        return current == content;
      },
      .run =
          [=](transport::Transport& t) {
            return t.put_file(host, {.path = path, .content = content});
          },
  };
}

class RecordingProgress : public ProgressSink {
 public:
  void step_started(const Step& step) override { started.push_back(step.id); }
  void step_finished(const StepResult& result) override { finished.push_back(result); }
  std::vector<std::string> started;
  std::vector<StepResult> finished;
};

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "zerospof-runner-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    journal_ = std::move(*Journal::open(dir_ + "/journal"));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  RunReport run(const StepGraph& graph, transport::Transport& observe, transport::Transport& act,
                RunnerOptions options = {}) {
    auto report = run_steps(graph, {observe, act, *journal_, progress_}, options);
    EXPECT_TRUE(report.has_value()) << report.error().message;
    return report.value_or(RunReport{});
  }
  RunReport run(const StepGraph& graph, transport::Transport& host, RunnerOptions options = {}) {
    return run(graph, host, host, options);
  }

  // Three hosts, each with a chain config -> binary -> service: nine steps.
  static StepGraph three_chains() {
    StepGraph graph;
    for (std::string host : {"h1", "h2", "h3"}) {
      EXPECT_TRUE(graph.add(file_step(host, "/config")));
      EXPECT_TRUE(graph.add(file_step(host, "/binary", {"/config@" + host})));
      EXPECT_TRUE(graph.add(file_step(host, "/service", {"/binary@" + host})));
    }
    return graph;
  }

  std::string dir_;
  std::unique_ptr<Journal> journal_;
  RecordingProgress progress_;
  RecordingTransport hosts_;
};

TEST_F(RunnerTest, AStepRunsOnlyAfterAllItsDepsSucceeded) {
  // Given start depends on config and binary, it is written after both.
  StepGraph graph;
  ASSERT_TRUE(graph.add(file_step("h", "/start", {"/config@h", "/binary@h"})));
  ASSERT_TRUE(graph.add(file_step("h", "/config")));
  ASSERT_TRUE(graph.add(file_step("h", "/binary")));
  RunReport report = run(graph, hosts_);
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.count(Outcome::kChanged), 3);
  auto puts = hosts_.calls_of("put");
  ASSERT_EQ(puts.size(), 3u);
  EXPECT_EQ(puts.back(), "h: /start");
}

TEST_F(RunnerTest, AFailedStepStopsItsDependentsAndTheOtherBranchesCarryOn) {
  StepGraph graph = three_chains();
  // h2's binary step fails: its service step is skipped, h1 and h3 complete.
  StepGraph failing;
  for (Step step : graph.steps()) {
    if (step.id == "/binary@h2") {
      step.run = [](transport::Transport&) -> util::Status {
        return util::fail(util::Error::failed_precondition("h2: disk full"));
      };
    }
    ASSERT_TRUE(failing.add(std::move(step)));
  }
  RunReport report = run(failing, hosts_);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.count(Outcome::kFailed), 1);
  EXPECT_EQ(report.count(Outcome::kSkipped), 1);
  EXPECT_EQ(report.count(Outcome::kChanged), 7);
  for (const auto& result : report.results) {
    if (result.id == "/service@h2") {
      EXPECT_EQ(result.outcome, Outcome::kSkipped);
      EXPECT_NE(result.detail.find("/binary@h2 did not succeed"), std::string::npos);
    }
    if (result.id == "/binary@h2") {
      EXPECT_EQ(result.detail, "h2: disk full");
    }
  }
  EXPECT_EQ(progress_.finished.size(), graph.size());  // every step reported exactly once
}

TEST_F(RunnerTest, TheJournalIsWrittenBeforeAStepIsReportedDone) {
  class JournalReadingProgress : public ProgressSink {
   public:
    explicit JournalReadingProgress(std::string path) : path_(std::move(path)) {}
    void step_started(const Step&) override {}
    void step_finished(const StepResult& result) override {
      std::string journal = util::read_file(path_).value_or("");
      if (journal.find(" " + result.id) == std::string::npos) missing.push_back(result.id);
      ++seen;
    }
    std::vector<std::string> missing;
    int seen = 0;

   private:
    std::string path_;
  } progress(journal_->path());
  StepGraph graph = three_chains();
  auto report = run_steps(graph, {hosts_, hosts_, *journal_, progress}, {});
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(progress.seen, 9);
  EXPECT_EQ(progress.missing, std::vector<std::string>{});
}

TEST_F(RunnerTest, TheSecondRunOfAnAllDoneGraphChangesNothing) {
  StepGraph graph = three_chains();
  ASSERT_TRUE(run(graph, hosts_).ok());
  hosts_.clear_calls();
  RunReport second = run(graph, hosts_);
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(second.count(Outcome::kUnchanged), 9);
  EXPECT_EQ(hosts_.calls_of("put"), std::vector<std::string>{});
}

TEST_F(RunnerTest, ARunCutMidwayConvergesWhenRunAgain) {
  // Given the link drops at the 8th call (as if apply were killed), some steps fail or are
  // skipped; a rerun on the healthy link completes them and redoes nothing already done.
  StepGraph graph = three_chains();
  FaultyTransport cut(hosts_, 8);
  RunReport first =
      run(graph, cut,
          RunnerOptions{.parallel = 2, .per_host = 1, .retry_pause = std::chrono::milliseconds(0)});
  EXPECT_FALSE(first.ok());
  int done_before = first.count(Outcome::kChanged);
  EXPECT_GT(done_before, 0);
  hosts_.clear_calls();
  RunReport second = run(graph, hosts_);
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(second.count(Outcome::kUnchanged), done_before);
  EXPECT_EQ(second.count(Outcome::kChanged), 9 - done_before);
  EXPECT_EQ(hosts_.files().size(), 9u);
  EXPECT_TRUE(run(graph, hosts_).ok());
}

TEST_F(RunnerTest, DryRunReadsTheRealHostAndSendsChangesToTheRecorder) {
  // Given one of two files already in place, a dry run checks both on the real host and
  // records only the missing one, leaving the real host untouched.
  ASSERT_TRUE(hosts_.put_file("h", {.path = "/a", .content = "content of /a"}));
  RecordingTransport recorder;
  StepGraph graph;
  ASSERT_TRUE(graph.add(file_step("h", "/a")));
  ASSERT_TRUE(graph.add(file_step("h", "/b")));
  RunReport report = run(graph, hosts_, recorder);
  EXPECT_EQ(report.count(Outcome::kUnchanged), 1);
  EXPECT_EQ(report.count(Outcome::kChanged), 1);
  EXPECT_EQ(recorder.calls_of("put"), std::vector<std::string>{"h: /b"});
  EXPECT_EQ(hosts_.files().size(), 1u);
}

TEST_F(RunnerTest, NeverMoreStepsInFlightThanAllowedPerHostAndOverall) {
  std::atomic<int> overall{0}, max_overall{0};
  std::mutex mutex;
  std::map<std::string, int> per_host, max_per_host;
  StepGraph graph;
  for (int i = 0; i < 24; ++i) {
    std::string host = "h" + std::to_string(i % 3);
    ASSERT_TRUE(
        graph.add(Step{.id = "s" + std::to_string(i),
                       .host = host,
                       .check = [](transport::Transport&) -> util::Result<bool> { return false; },
                       .run = [&, host](transport::Transport&) -> util::Status {
                         {
                           std::lock_guard lock(mutex);
                           max_per_host[host] = std::max(max_per_host[host], ++per_host[host]);
                           max_overall = std::max(max_overall.load(), ++overall);
                         }
                         std::this_thread::sleep_for(std::chrono::milliseconds(5));
                         std::lock_guard lock(mutex);
                         --per_host[host];
                         --overall;
                         return {};
                       }}));
  }
  RunReport report = run(graph, hosts_, RunnerOptions{.parallel = 4, .per_host = 2});
  EXPECT_TRUE(report.ok());
  EXPECT_LE(max_overall.load(), 4);
  for (const auto& [host, most] : max_per_host) EXPECT_LE(most, 2) << host;
}

TEST_F(RunnerTest, ACheckThatFailsIsAFailedStepNotAChange) {
  StepGraph graph;
  int checks = 0;
  ASSERT_TRUE(graph.add(Step{.id = "x",
                             .host = "h",
                             .check = [&](transport::Transport&) -> util::Result<bool> {
                               ++checks;
                               return util::fail(util::Error::failed_precondition("h: no disk"));
                             },
                             .run = [](transport::Transport&) -> util::Status {
                               ADD_FAILURE() << "run() after a failed check()";
                               return {};
                             }}));
  RunReport report = run(graph, hosts_);
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].outcome, Outcome::kFailed);
  EXPECT_EQ(report.results[0].detail, "h: no disk");
  EXPECT_EQ(checks, 1) << "an error that is not transient is not tried again";
}

// A transient error (the host unreachable for a moment) is tried again, with a growing pause;
// one that stays fails after the last attempt, saying what the earlier ones got.
TEST_F(RunnerTest, ATransientErrorIsTriedAgainAndOneThatStaysFailsAfterTheLastAttempt) {
  StepGraph graph;
  std::atomic<int> runs{0}, checks{0};
  ASSERT_TRUE(
      graph.add(Step{.id = "flaky",
                     .host = "h",
                     .check = [](transport::Transport&) -> util::Result<bool> { return false; },
                     .run = [&](transport::Transport&) -> util::Status {
                       if (++runs < 3)
                         return util::fail(util::Error::unavailable("h: connection reset"));
                       return {};
                     }}));
  ASSERT_TRUE(graph.add(
      Step{.id = "down", .host = "g", .check = [&](transport::Transport&) -> util::Result<bool> {
             ++checks;
             return util::fail(util::Error::unavailable("g: no route"));
           }}));
  auto start = std::chrono::steady_clock::now();
  RunReport report = run(
      graph, hosts_, RunnerOptions{.attempts = 3, .retry_pause = std::chrono::milliseconds(50)});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(report.results.size(), 2u);
  for (const auto& result : report.results) {
    if (result.id == "flaky") {
      EXPECT_EQ(result.outcome, Outcome::kChanged);
      EXPECT_EQ(result.detail, "2 earlier attempt(s) failed: h: connection reset");
    } else {
      EXPECT_EQ(result.outcome, Outcome::kFailed);
      EXPECT_EQ(result.detail, "g: no route (2 earlier attempt(s) failed: g: no route)");
    }
  }
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(checks, 3);
  // Paused 50 ms, then 100 ms, before the 2nd and 3rd attempts.
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));
}

}  // namespace
}  // namespace zerospof::apply
