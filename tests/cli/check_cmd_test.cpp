// `zerospof check` and `zerospof init` as a user runs them: the real binary, its exit codes,
// its stdout and stderr.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "support/key_material.h"
#include "support/test_plans.h"
#include "support/zerospof_command.h"
#include "util/cluster_lock.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::cli {
namespace {

using testing::zerospof;

class CheckCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("zerospof-check-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& content) {
    std::string path = (directory_ / name).string();
    EXPECT_TRUE(util::write_file_atomic(path, content, {0644, true}));
    return path;
  }

  std::filesystem::path directory_;
};

TEST_F(CheckCommandTest, BuiltinPlanExitsZero) {
  util::ProcessResult result = zerospof({"check"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Single points of failure\n  ✔ none"), std::string::npos);
  EXPECT_EQ(result.out.find('\033'), std::string::npos);  // not a TTY: no colour
}

// Issue 11, item 22: the plan after --manifests was taken as a second manifests path, and the
// built-in plan was analysed without a word.
TEST_F(CheckCommandTest, PlanAfterManifestsIsThePlan) {
  std::string plan =
      write("plan.yaml", testing::replace_once(plan::builtin_plan_yaml(), "bolabaden\n", "mine\n"));
  std::string manifests = (directory_ / "manifests").string();
  std::filesystem::create_directories(manifests);
  util::ProcessResult result = zerospof({"check", "--manifests", manifests, plan});
  EXPECT_NE(result.out.find("(cluster mine,"), std::string::npos) << result.out << result.err;
}

// Three control-plane nodes and `workers` alike: past 64 nodes, check judges the workers once.
std::string plan_with_workers(int workers) {
  std::string plan = plan::builtin_plan_yaml();
  std::string nodes;
  for (int i = 0; i < workers; ++i)
    nodes += "    - name: w" + std::to_string(i) + "\n      host: w" + std::to_string(i) +
             ".example\n      roles: [worker, storage]\n";
  plan =
      testing::replace_once(plan,
                            "    - name: cloudserver3\n      host: cloudserver3.bolabaden.org\n"
                            "      roles: [worker, storage]\n    - name: blackboar\n"
                            "      host: blackboar.bolabaden.org\n      roles: [worker, storage]\n",
                            nodes);
  return plan;
}

TEST_F(CheckCommandTest, LargePlansJudgeAlikeNodesOnce) {
  std::string plan = write("plan.yaml", plan_with_workers(67));
  util::ProcessResult text = zerospof({"check", plan, "--failures", "2"});
  EXPECT_EQ(text.exit_code, 1) << text.err;  // two of the three etcd members
  EXPECT_NE(text.out.find("(and 66 like it)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("interchangeable nodes (no rule tells them apart) are judged once per "
                          "class"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("1 classes: w0 and 66 more"), std::string::npos) << text.out;
  // The baseline, 70 + 2,415 node sets, 7 components stopped on each control-plane node and
  // 67 kubelets.
  EXPECT_NE(text.out.find("(21 services, 2574 scenarios analysed, 34 judged)"), std::string::npos)
      << text.out;

  util::ProcessResult json = zerospof({"check", plan, "--failures", "2", "-o", "json"});
  auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["summary"]["scenarios"], 2574);
  EXPECT_EQ(report["summary"]["judged"], 34);
  ASSERT_EQ(report["interchangeableNodes"].size(), 1u);
  EXPECT_EQ(report["interchangeableNodes"][0].size(), 67u);
  long represented = 0;
  for (const auto& scenario : report["scenarios"]) represented += scenario.value("represents", 1);
  long health = 0;
  for (const auto& [name, count] : report["summary"]["health"].items()) health += count.get<long>();
  EXPECT_EQ(health, 2574);
  // A large plan lists the baseline and every scenario that is not ok, each standing for its own.
  EXPECT_EQ(represented, 1 + report["summary"]["health"]["degraded"].get<long>() +
                             report["summary"]["health"]["down"].get<long>());

  util::ProcessResult each = zerospof({"check", plan, "--failures", "2", "--each-node"});
  EXPECT_EQ(each.out.find("like it)"), std::string::npos);
  EXPECT_NE(each.out.find("(21 services, 2574 scenarios analysed)"), std::string::npos)
      << each.out.substr(each.out.size() - 300);
}

TEST_F(CheckCommandTest, PlanGivenAsManifestsIsAnError) {
  std::string plan = write("plan.yaml", plan::builtin_plan_yaml());
  util::ProcessResult result = zerospof({"check", "--manifests", plan});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.err.find("is a zerospof plan"), std::string::npos) << result.err;
}

TEST_F(CheckCommandTest, JsonOutputParsesAndSaysOk) {
  util::ProcessResult result = zerospof({"check", "-o", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["schemaVersion"], 2);
  EXPECT_EQ(report["verdict"], "ok");
  EXPECT_EQ(report["nodes"].size(), 5u);
  EXPECT_TRUE(report["pointsOfFailure"].empty());
}

TEST_F(CheckCommandTest, SinglePointOfFailureExitsOneAndNamesIt) {
  std::string plan = testing::replace_once(plan::builtin_plan_yaml(), "replicas: 3\n    ingress",
                                           "replicas: 1\n    ingress");
  util::ProcessResult result = zerospof({"check", write("plan.yaml", plan)});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("✘ deployment/kube-system/coredns: node cloudserver1 down"),
            std::string::npos)
      << result.out;
}

TEST_F(CheckCommandTest, UpstreamIngressManifestExitsOne) {
  util::ProcessResult result =
      zerospof({"check", "--manifests",
                testing::shared_path("upstream/ingress-nginx-baremetal.yaml"), "-o", "json"});
  EXPECT_EQ(result.exit_code, 1);
  nlohmann::json report = nlohmann::json::parse(result.out);
  bool named = false;
  for (const auto& failure : report["pointsOfFailure"])
    named = named || failure["service"] == "deployment/ingress-nginx/ingress-nginx-controller";
  EXPECT_TRUE(named);
}

TEST_F(CheckCommandTest, BadPlanExitsTwoWithFileLineColumn) {
  std::string plan =
      testing::replace_once(plan::builtin_plan_yaml(), "cni: calico", "cni: calicoo");
  std::string path = write("bad.yaml", plan);
  util::ProcessResult result = zerospof({"check", path});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty());
  EXPECT_NE(result.err.find(path + ":35:10: error: spec.network.cni must be one of calico, cilium"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("hint: did you mean 'calico'?"), std::string::npos);
}

TEST_F(CheckCommandTest, UsageErrorsAndMissingFilesExitTwo) {
  EXPECT_EQ(zerospof({"check", "--failures", "9"}).exit_code, 2);
  EXPECT_EQ(zerospof({"check", "-o", "yaml"}).exit_code, 2);
  EXPECT_EQ(zerospof({"check", "/nonexistent.yaml"}).exit_code, 2);
  EXPECT_EQ(zerospof({"frobnicate"}).exit_code, 2);
}

TEST_F(CheckCommandTest, AnErrorOnASecretLineNeverEchoesTheSecret) {
  // The error quotes the offending line; on a kubeconfig-like Secret that line is the key.
  std::string key = "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUFiY2RlZmdoaWprbG1u";
  std::filesystem::create_directories(directory_ / "manifests");
  write("manifests/admin.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: admin\nstringData:\n"
        "  client-key-data: " +
            key + "\n  client-key-data: " + key + "\n");
  auto result = zerospof({"check", "--manifests", (directory_ / "manifests").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("duplicate key"), std::string::npos) << result.err;
}

TEST_F(CheckCommandTest, InitWritesThePlanAndNeverOverwrites) {
  std::string path = (directory_ / "zerospof.yaml").string();
  EXPECT_EQ(zerospof({"init", path}).exit_code, 0);
  auto text = util::read_file(path);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, plan::builtin_plan_yaml());
  write("zerospof.yaml", "mine\n");
  util::ProcessResult again = zerospof({"init", path});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);
  EXPECT_EQ(*util::read_file(path), "mine\n");  // the user's file is untouched
  EXPECT_EQ(zerospof({"init", path, "--force"}).exit_code, 0);
  EXPECT_EQ(zerospof({"check", path}).exit_code, 0);
}

// A drill refuses to start while an apply (or another drill) of the cluster runs: two drills
// at once wrote each other's probe objects and injected faults on top of each other.
TEST_F(CheckCommandTest, ADrillIsRefusedWhileAnApplyOfTheClusterRuns) {
  std::string plan = write("plan.yaml", testing::addressed_plan());
  std::string apply_state = (directory_ / "apply-state").string();
  auto held = util::ClusterLock::acquire(apply_state, "apply");
  ASSERT_TRUE(held) << util::format_error(held.error());
  auto drill = zerospof({"drill", plan, "--heal", "--apply-state-dir", apply_state, "--known-hosts",
                         write("known_hosts", "")});
  EXPECT_EQ(drill.exit_code, 4) << drill.out << drill.err;
  EXPECT_NE(drill.err.find("another apply or drill of this cluster is running: apply, pid " +
                           std::to_string(::getpid())),
            std::string::npos)
      << drill.err;
}

// What users have at hand, piped: `kubectl get -A -o yaml | zerospof check --manifests -`.
TEST_F(CheckCommandTest, ManifestsFromStandardInputAreCheckedAndKindsNotModelledAreNamed) {
  const std::string list = testing::kClusterList;
  util::ProcessResult text = zerospof({"check", "--manifests", "-"}, list);
  // One replica: degraded while it is rescheduled, not down (a finding says so).
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("deployment/shop/web"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("stdin:13:3: not modelled, judged as if absent: 2 Ingress "
                          "(networking.k8s.io/v1)"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("read, no effect on what a failure takes down: 1 Secret"),
            std::string::npos)
      << text.out;

  util::ProcessResult json = zerospof({"check", "--manifests", "-", "-o", "json"}, list);
  nlohmann::json report = nlohmann::json::parse(json.out);
  ASSERT_EQ(report["notModelled"].size(), 3u) << json.out;
  EXPECT_EQ(report["notModelled"][0]["kind"], "Ingress");
  EXPECT_EQ(report["notModelled"][0]["location"], "stdin:13:3");

  // The flag repeats (a directory and standard input), but standard input is read once.
  std::string directory = (directory_ / "more").string();
  std::filesystem::create_directories(directory);
  util::ProcessResult both =
      zerospof({"check", "--manifests", directory, "--manifests", "-"}, list);
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_NE(both.out.find("deployment/shop/web"), std::string::npos) << both.out;
  util::ProcessResult twice = zerospof({"check", "--manifests", "-", "--manifests", "-"}, list);
  EXPECT_EQ(twice.exit_code, 2) << twice.out;
  EXPECT_NE(twice.err.find("given twice"), std::string::npos) << twice.err;
}

}  // namespace
}  // namespace zerospof::cli
