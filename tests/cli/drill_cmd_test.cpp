// `zerospof drill` as a user runs it: how a host goes down is the user's choice, and a choice
// that does not fit the hosts (a crash of real hosts, a reboot not allowed in so many words, on
// real hosts or the lab's) is refused before the drill touches anything, and so is a
// comparison of tunings that would compare nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "support/scratch_directory.h"
#include "support/test_plans.h"
#include "support/zerospof_command.h"
#include "util/files.h"

namespace zerospof::cli {
namespace {

using testing::zerospof;

class DrillCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(util::write_file_atomic(plan_, testing::addressed_plan())); }

  // The drill of primary-down with `extra`, expected to be refused with a message containing
  // `expected`, nothing of the drill's state made.
  void expect_refused(std::vector<std::string> extra, const std::string& expected) {
    std::vector<std::string> arguments{"drill", plan_, "primary-down", "--state-dir", state_};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    auto refused = zerospof(arguments);
    EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
    EXPECT_NE(refused.err.find(expected), std::string::npos) << refused.err;
    EXPECT_FALSE(std::filesystem::exists(state_));
  }

  testing::ScratchDirectory directory_{"zerospof-drill-cmd"};
  const std::string plan_ = directory_.path() + "/plan.yaml";
  const std::string state_ = directory_.path() + "/drill";
};

TEST_F(DrillCommandTest, ARebootIsRefusedUnlessAllowedInSoManyWords) {
  expect_refused({"--host-down", "reboot"}, "restarts real servers");
  expect_refused({"--host-down", "reboot", "--lab"}, "add --allow-reboot");
}

TEST_F(DrillCommandTest, OnlyTheLabsContainersCrash) {
  expect_refused({"--host-down", "crash"}, "give --lab for the lab");
}

TEST_F(DrillCommandTest, AnUnknownWayDownNamesTheKnownOnes) {
  auto refused = zerospof({"drill", plan_, "primary-down", "--host-down", "unplug"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("isolate"), std::string::npos) << refused.err;
}

TEST_F(DrillCommandTest, ComparingATuningWithItselfIsRefusedBeforeAnythingIsApplied) {
  // The plan runs the fast profile's own timings: a comparison with it would drill the same
  // cluster twice, after two applies for nothing.
  expect_refused({"--compare-tuning", "fast"}, "compare with the other profile (kubeadm-guide)");
  expect_refused({"--compare-tuning", "kubeadm-guide", "--heal"}, "--heal runs no scenario");
  // What re-applying needs is no silent extra without a comparison.
  expect_refused({"--pki-dir", directory_.path()}, "or add --compare-tuning PROFILE");
}

// Re-applying with a PKI directory that is not the cluster's would make a new CA and roll out
// certificates nothing trusts: refused, before any host is asked anything.
TEST_F(DrillCommandTest, ComparingWithAnotherClustersPkiIsRefused) {
  const std::string kubeconfig = directory_.path() + "/admin.conf";
  ASSERT_TRUE(util::write_file_atomic(
      kubeconfig,
      "clusters:\n- cluster:\n    server: https://198.18.0.2:6443\n"
      "    certificate-authority-data: Q0xVU1RFUi1DQQo=\n"  // "CLUSTER-CA\n"
      "users:\n- user:\n    client-certificate-data: AAAA\n    client-key-data: AAAA\n"));
  const std::string pki = directory_.path() + "/pki";
  auto compare = [&] {
    return zerospof({"drill", plan_, "primary-down", "--compare-tuning", "kubeadm-guide",
                     "--kubeconfig", kubeconfig, "--pki-dir", pki, "--apply-state-dir",
                     directory_.path() + "/apply", "--state-dir", state_});
  };
  auto no_ca = compare();
  EXPECT_EQ(no_ca.exit_code, 2) << no_ca.err;
  EXPECT_NE(no_ca.err.find(pki + " holds no CA"), std::string::npos) << no_ca.err;
  std::filesystem::create_directories(pki);
  ASSERT_TRUE(util::write_file_atomic(pki + "/ca.crt", "ANOTHER-CA\n"));
  auto other_ca = compare();
  EXPECT_EQ(other_ca.exit_code, 2) << other_ca.err;
  EXPECT_NE(other_ca.err.find("is not the CA of the cluster"), std::string::npos) << other_ca.err;
  EXPECT_NE(other_ca.err.find("give --pki-dir the directory the cluster was rendered with"),
            std::string::npos);
}

// --resume goes on with the drill its journal holds: a flag that would change that drill, a
// journal of another cluster or of a drill on other hosts, and a damaged journal are refused
// before anything is touched, each saying what to give instead.
TEST_F(DrillCommandTest, AResumeIsRefusedWhenItWouldNotBeTheSameDrill) {
  const std::string journal = directory_.path() + "/journal.jsonl";
  auto write_journal = [&](const std::string& cluster, bool lab) {
    ASSERT_TRUE(util::write_file_atomic(
        journal,
        fmt::format(R"({{"format":"zerospof drill journal","version":1,"header":)"
                    R"({{"cluster":"{}","tuning":"fast","scenarios":["primary-down"],"runs":5,)"
                    R"("seed":81,"lab":{},"host_down":"isolate","plan_shape":"a() ; fast"}}}})"
                    "\n",
                    cluster, lab),
        {.overwrite = true}));
  };
  auto resume = [&](std::vector<std::string> extra) {
    std::vector<std::string> arguments{"drill", plan_, "--resume", journal, "--state-dir", state_};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return zerospof(arguments);
  };
  write_journal("another-cluster", false);
  auto changed = resume({"primary-down", "--runs", "2"});
  EXPECT_EQ(changed.exit_code, 2) << changed.err;
  EXPECT_NE(changed.err.find("scenario names, --runs would change it"), std::string::npos)
      << changed.err;
  auto other_cluster = resume({});
  EXPECT_EQ(other_cluster.exit_code, 2) << other_cluster.err;
  EXPECT_NE(other_cluster.err.find("is a drill of cluster another-cluster with tuning fast"),
            std::string::npos)
      << other_cluster.err;
  EXPECT_NE(other_cluster.err.find("give the plan the drill was started with"), std::string::npos);
  write_journal(testing::load_plan(testing::addressed_plan()).name, true);
  auto not_lab = resume({});
  EXPECT_EQ(not_lab.exit_code, 2) << not_lab.err;
  EXPECT_NE(not_lab.err.find("ran with --lab"), std::string::npos) << not_lab.err;
  auto reshaped = resume({"--lab"});  // the journal's plan had other nodes and timings
  EXPECT_EQ(reshaped.exit_code, 2) << reshaped.err;
  EXPECT_NE(reshaped.err.find("changed since the drill in " + journal + " started"),
            std::string::npos)
      << reshaped.err;
  // A line damaged in the middle (not the last, which a crash may tear) is named.
  const std::string header = *util::read_file(journal);
  ASSERT_TRUE(util::write_file_atomic(journal, header + "{\"of\":\"fast\",\"scen\n{}\n",
                                      {.overwrite = true}));
  auto damaged = resume({"--lab"});
  EXPECT_EQ(damaged.exit_code, 2) << damaged.err;
  EXPECT_NE(damaged.err.find(journal + ":2"), std::string::npos) << damaged.err;
  EXPECT_NE(damaged.err.find("not a JSON object"), std::string::npos) << damaged.err;
  EXPECT_FALSE(std::filesystem::exists(state_)) << "nothing of the drill's state was made";
}

}  // namespace
}  // namespace zerospof::cli
