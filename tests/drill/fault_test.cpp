// Faults on recorded hosts: the heal is always armed (script and timer) before the fault is
// injected, a partition lives in zerospof's own nftables table and names only the other side,
// and heal_leftovers() finds what an interrupted drill left.
#include "drill/fault.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/recording_transport.h"
#include "support/test_plans.h"
#include "util/files.h"

namespace zerospof::drill {
namespace {

// The index of the first recorded call on `host` whose text contains `needle`; -1 if none.
int first_call(const std::vector<testing::RecordingTransport::Call>& calls, const std::string& host,
               const std::string& needle) {
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (calls[i].host == host && calls[i].what.find(needle) != std::string::npos)
      return static_cast<int>(i);
  return -1;
}

class FaultTest : public ::testing::Test {
 protected:
  model::Cluster cluster_ = testing::load_plan(testing::addressed_plan());
  testing::RecordingTransport hosts_;
  FaultInjector injector_{cluster_, hosts_, std::nullopt, "/nonexistent"};
};

TEST_F(FaultTest, TheHealIsArmedOnTheHostBeforeTheKill) {
  const Scenario& scenario = *find_scenario("apiserver-killed");
  auto fault = injector_.inject(scenario, {"cloudserver1"}, "7-0-apiserver-killed",
                                std::chrono::seconds(70));
  ASSERT_TRUE(fault) << util::format_error(fault.error());
  auto calls = hosts_.calls();
  int script = first_call(calls, "cloudserver1", "/run/zerospof-drill/7-0-apiserver-killed.sh");
  int timer = first_call(calls, "cloudserver1",
                         "systemd-run --quiet --collect "
                         "--unit=zerospof-drill-heal-7-0-apiserver-killed "
                         "--on-active=70s --timer-property=AccuracySec=1s");
  int kill = first_call(calls, "cloudserver1", "kill -KILL");
  ASSERT_GE(script, 0);
  ASSERT_GE(timer, 0);
  ASSERT_GE(kill, 0);
  EXPECT_LT(script, timer);
  EXPECT_LT(timer, kill);
  auto heal = hosts_.files().at({"cloudserver1", "/run/zerospof-drill/7-0-apiserver-killed.sh"});
  EXPECT_NE(heal.content.find("systemctl start --no-block 'zerospof-kube-apiserver.service'"),
            std::string::npos)
      << heal.content;
  EXPECT_NE(heal.content.find("rm -f /run/zerospof-drill/7-0-apiserver-killed.sh"),
            std::string::npos);
  EXPECT_EQ(fault->description, "sigkill zerospof-kube-apiserver.service on cloudserver1");
}

TEST_F(FaultTest, AFailedArmInjectsNothing) {
  hosts_.answer("systemd-run", {.exit_code = 1, .err = "Failed to start transient timer unit"});
  auto fault = injector_.inject(*find_scenario("etcd-stopped"), {"cloudserver1"}, "x",
                                std::chrono::seconds(70));
  EXPECT_FALSE(fault);
  EXPECT_EQ(first_call(hosts_.calls(), "cloudserver1", "systemctl stop"), -1);
}

TEST_F(FaultTest, APartitionLivesInItsOwnTableAndDropsOnlyTheOtherSide) {
  auto fault = injector_.inject(*find_scenario("partition-2-3"), {"micklethefickle", "blackboar"},
                                "p", std::chrono::seconds(70));
  ASSERT_TRUE(fault) << util::format_error(fault.error());
  EXPECT_EQ(fault->hosts.size(), cluster_.nodes.size());
  auto calls = hosts_.calls();
  for (const model::Node& node : cluster_.nodes) {
    int armed = first_call(calls, node.name, "systemd-run");
    int rules = first_call(calls, node.name, "table inet zerospof_drill {");
    ASSERT_GE(armed, 0) << node.name;
    ASSERT_GE(rules, 0) << node.name;
    // Every host is armed before any host is cut off.
    EXPECT_LT(armed, first_call(calls, "micklethefickle", "table inet zerospof_drill {"));
    const std::string& text = calls[static_cast<std::size_t>(rules)].what;
    EXPECT_EQ(text.find("table inet zerospof "), std::string::npos) << "never the firewall's table";
    EXPECT_EQ(text.find("flush ruleset"), std::string::npos);
    bool minority = node.name == "micklethefickle" || node.name == "blackboar";
    std::string own = node.address->base.to_string();
    EXPECT_EQ(text.find(own + ","), std::string::npos) << node.name << " drops itself: " << text;
    EXPECT_EQ(text.find(own + " }"), std::string::npos) << node.name << " drops itself: " << text;
    // The minority drops the three others, the majority the two.
    std::size_t commas = static_cast<std::size_t>(
        std::count(text.begin(), text.begin() + static_cast<long>(text.find("drop")), ','));
    EXPECT_EQ(commas, minority ? 2u : 1u) << node.name << ": " << text;
  }
  auto heal = hosts_.files().at({"cloudserver2", "/run/zerospof-drill/p.sh"});
  EXPECT_NE(heal.content.find("nft delete table inet zerospof_drill"), std::string::npos);
}

TEST_F(FaultTest, AHostDownOutsideTheLabIsRefusedNotFaked) {
  auto fault = injector_.inject(*find_scenario("primary-down"), {"cloudserver1"}, "h",
                                std::chrono::seconds(70));
  ASSERT_FALSE(fault);
  EXPECT_NE(fault.error().message.find("needs the lab"), std::string::npos);
  EXPECT_TRUE(hosts_.calls().empty());
}

TEST_F(FaultTest, HealLeftoversRunsWhatIsLeftOnEveryHostAndSaysWhere) {
  hosts_.answer("zerospof-drill", {.exit_code = 0, .out = "0\n"});
  auto healed = injector_.heal_leftovers();
  ASSERT_TRUE(healed);
  EXPECT_TRUE(healed->empty());
  for (const model::Node& node : cluster_.nodes)
    EXPECT_GE(first_call(hosts_.calls(), node.name, "/run/zerospof-drill/*.sh"), 0) << node.name;
  testing::RecordingTransport left;
  left.answer("zerospof-drill", {.exit_code = 0, .out = "2\n"});
  FaultInjector injector(cluster_, left, std::nullopt, "/nonexistent");
  healed = injector.heal_leftovers();
  ASSERT_TRUE(healed);
  EXPECT_EQ(healed->size(), cluster_.nodes.size());
  EXPECT_EQ(healed->front().find(": 2 fault(s) reverted") != std::string::npos, true);
}

TEST_F(FaultTest, ALabHostACrashedDrillLeftIsNeverForgottenWithoutTheLab) {
  // A watchdog record (PID 0: nothing to signal) as a drill killed mid host-down leaves it.
  auto dir = std::filesystem::temp_directory_path() /
             ("zerospof-drill-state-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "watchdogs");
  ASSERT_TRUE(util::write_file_atomic((dir / "watchdogs" / "9-0-primary-down").string(),
                                      "0 cloudserver1\n", {.overwrite = true}));
  FaultInjector injector(cluster_, hosts_, std::nullopt, dir.string());
  auto healed = injector.heal_leftovers();
  ASSERT_FALSE(healed);
  EXPECT_NE(healed.error().message.find("cloudserver1"), std::string::npos);
  EXPECT_NE(healed.error().hint.find("--lab"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "watchdogs" / "9-0-primary-down"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zerospof::drill
