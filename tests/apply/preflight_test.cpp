// Preflight: facts parsed from a host's answer, and every problem named with its host and fix.
#include "apply/preflight.h"

#include <gtest/gtest.h>

#include "support/test_plans.h"
#include "util/process.h"

namespace zerospof::apply {
namespace {

// The built-in plan with addresses 198.18.7.x; facts of its five nodes, all healthy.
class PreflightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = testing::load_plan(testing::addressed_plan());
    for (std::size_t i = 0; i < cluster_.nodes.size(); ++i) {
      const auto& node = cluster_.nodes[i];
      facts_.push_back({.node = node.name,
                        .hostname = node.name,
                        .machine_id = "id" + std::to_string(i),
                        .addresses = {"127.0.0.1/8", node.address->base.to_string() + "/24"},
                        .free_disk_kib = 10 << 20,
                        .cgroup_filesystem = "cgroup2fs"});
    }
  }

  std::vector<std::string> problems(PreflightOptions options = {}) {
    return preflight_problems(cluster_, facts_, options);
  }

  model::Cluster cluster_;
  std::vector<HostFacts> facts_;
};

TEST_F(PreflightTest, HealthyHostsHaveNoProblems) {
  EXPECT_EQ(problems(), std::vector<std::string>{});
}

TEST_F(PreflightTest, ParsesTheFactsScriptOutput) {
  auto facts = parse_facts(
      "n1",
      "host1\nabc\n1000.5\n0\n123456\n850\nbr_netfilter \ncgroup2fs\nip6tables-restore \n"
      "127.0.0.1/8\n198.18.7.11/24\n",
      1000.0);
  ASSERT_TRUE(facts.has_value()) << facts.error().message;
  EXPECT_EQ(facts->hostname, "host1");
  EXPECT_EQ(facts->machine_id, "abc");
  EXPECT_DOUBLE_EQ(facts->clock_offset_seconds, 0.5);
  EXPECT_EQ(facts->free_disk_kib, 123456);
  EXPECT_EQ(facts->fsync_microseconds, 850);
  EXPECT_EQ(facts->missing_modules, std::vector<std::string>{"br_netfilter"});
  EXPECT_EQ(facts->cgroup_filesystem, "cgroup2fs");
  EXPECT_EQ(facts->missing_commands, std::vector<std::string>{"ip6tables-restore"});
  EXPECT_EQ(facts->addresses, (std::vector<std::string>{"127.0.0.1/8", "198.18.7.11/24"}));
  EXPECT_FALSE(parse_facts("n1", "host1\n", 0).has_value());
}

TEST_F(PreflightTest, NamesClonedHostsByMachineIdAndHostname) {
  facts_[1].machine_id = facts_[0].machine_id;
  facts_[2].hostname = facts_[0].hostname;
  auto found = problems();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].find("same hostname"), std::string::npos) << found[0];
  EXPECT_NE(found[1].find("same machine ID id0"), std::string::npos) << found[1];
  EXPECT_NE(found[1].find("systemd-machine-id-setup"), std::string::npos);
}

TEST_F(PreflightTest, NamesSkewSwapDiskAndAMissingAddress) {
  facts_[0].clock_offset_seconds = -5;
  facts_[1].swap_kib = 2048;
  facts_[2].free_disk_kib = 1024;
  facts_[3].addresses = {"127.0.0.1/8"};
  auto found = problems();
  ASSERT_EQ(found.size(), 4u);
  EXPECT_NE(found[0].find(facts_[0].node + ": its clock is -5.0 s off"), std::string::npos)
      << found[0];
  EXPECT_NE(found[1].find(facts_[1].node + ": swap is on (2 MiB)"), std::string::npos) << found[1];
  EXPECT_NE(found[2].find(facts_[2].node + ": only 1 MiB free"), std::string::npos) << found[2];
  EXPECT_NE(found[3].find("198.18.7."), std::string::npos) << found[3];
  EXPECT_EQ(problems({.allow_swap = true}).size(), 3u);
}

TEST_F(PreflightTest, NamesASlowEtcdDiskAndMissingKernelModules) {
  facts_[0].fsync_microseconds = 25'000;  // a spinning disk under load
  facts_[1].fsync_microseconds = 900;
  facts_[3].missing_modules = {"overlay", "br_netfilter"};
  auto found = problems();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].find(facts_[0].node + ": a synchronous write to etcd's disk (/var/lib/etcd) "
                                           "takes 25.0 ms on average"),
            std::string::npos)
      << found[0];
  EXPECT_NE(found[1].find(facts_[3].node + ": the kernel modules overlay, br_netfilter"),
            std::string::npos)
      << found[1];
  EXPECT_EQ(problems({.container_host = false}).size(), 1u);
}

TEST_F(PreflightTest, NamesCgroupV1AndMissingIptablesOfAContainerHost) {
  facts_[0].cgroup_filesystem = "tmpfs";  // the legacy hierarchy, or the hybrid one
  facts_[2].missing_commands = {"iptables-restore", "ip6tables-restore"};
  auto found = problems();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].find(facts_[0].node + ": /sys/fs/cgroup is tmpfs, not the unified hierarchy"),
            std::string::npos)
      << found[0];
  EXPECT_NE(found[1].find(facts_[2].node + ": iptables-restore, ip6tables-restore not found"),
            std::string::npos)
      << found[1];
  EXPECT_NE(found[1].find("apt-get install iptables"), std::string::npos);
  EXPECT_EQ(problems({.container_host = false}), std::vector<std::string>{});
}

TEST_F(PreflightTest, TheFactsScriptMeasuresTheDiskOnlyOfEtcdMembers) {
  // Run for real on this machine: nine fact lines, then the addresses.
  for (bool member : {false, true}) {
    std::string script = facts_script(member);
    EXPECT_EQ(script.find("oflag=dsync") != std::string::npos, member);
    auto out = util::run({"/bin/sh", "-c", script});
    ASSERT_TRUE(out.has_value());
    auto facts = parse_facts("here", out->out, 0);
    ASSERT_TRUE(facts.has_value()) << facts.error().message << "\n" << out->out;
    if (member)
      EXPECT_GT(facts->fsync_microseconds, 0);
    else
      EXPECT_EQ(facts->fsync_microseconds, -1);
  }
}

TEST_F(PreflightTest, NamesTwoHostsSharingAnAddress) {
  facts_[4].addresses.push_back(facts_[3].addresses[1]);
  auto found = problems();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("same address"), std::string::npos) << found[0];
}

}  // namespace
}  // namespace zerospof::apply
