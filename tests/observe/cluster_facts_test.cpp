// What ClusterFacts makes of the hosts' answers. etcd's status is asked from one control-plane
// host, and a host cut off from its peers (the drill's isolated host) sees its own member
// alone: its view must not stand for the cluster's while another host sees a majority.
#include "observe/cluster_facts.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "support/recording_transport.h"
#include "support/test_plans.h"

namespace zerospof::observe {
namespace {

class ClusterFactsTest : public ::testing::Test {
 protected:
  // `etcdctl endpoint status -w json` as it prints the members of `nodes` that answered; member
  // ids count from 1 in the plan's order of the etcd members, `leader` is one of them.
  std::string endpoint_status(const std::vector<std::string>& nodes,
                              std::uint64_t leader = 1) const {
    nlohmann::json entries = nlohmann::json::array();
    std::uint64_t id = 1;
    for (const model::Node* node : cluster_.nodes_with_role(model::Role::kEtcd)) {
      if (std::find(nodes.begin(), nodes.end(), node->name) == nodes.end()) {
        ++id;
        continue;
      }
      entries.push_back({{"Endpoint", "https://" + node->cluster_address() + ":2379"},
                         {"Status",
                          {{"header", {{"member_id", id}, {"revision", 7}}},
                           {"leader", leader},
                           {"raftTerm", 3},
                           {"dbSize", 4096}}}});
      ++id;
    }
    return entries.dump();
  }

  std::vector<std::string> etcd_nodes() const {
    std::vector<std::string> names;
    for (const model::Node* node : cluster_.nodes_with_role(model::Role::kEtcd))
      names.push_back(node->name);
    return names;
  }

  std::vector<std::string> asked() const {
    std::vector<std::string> hosts;
    for (const auto& call : transport_.calls())
      if (call.what.find("endpoint status") != std::string::npos) hosts.push_back(call.host);
    return hosts;
  }

  model::Cluster cluster_ = testing::load_plan(testing::addressed_plan());
  testing::RecordingTransport transport_;
};

TEST_F(ClusterFactsTest, AHostThatSeesOnlyItsOwnMemberIsNotTheClustersView) {
  // Given the first control-plane host cut off (it sees its own member answer and nobody else),
  // the status should come from the next host, which sees the other two.
  const std::vector<std::string> members = etcd_nodes();
  ASSERT_EQ(members.size(), 3u);
  const std::string isolated = cluster_.nodes_with_role(model::Role::kControlPlane)[0]->name;
  transport_.answer_with("endpoint status", [&](const std::string& host, const std::string&) {
    std::vector<std::string> seen;
    for (const std::string& member : members)
      if ((host == isolated) == (member == isolated)) seen.push_back(member);
    return transport::CommandResult{.exit_code = 1, .out = endpoint_status(seen)};
  });
  EtcdStatus status = ClusterFacts(cluster_, transport_).etcd_status();
  ASSERT_EQ(status.members.size(), 3u);
  for (const auto& member : status.members)
    EXPECT_EQ(member.answered, member.node != isolated) << member.node;
  EXPECT_EQ(asked().size(), 2u);
}

TEST_F(ClusterFactsTest, AMajorityOnTheFirstHostIsEnoughAndNoOneMajorityMeansTheWidestView) {
  transport_.answer("endpoint status", {.exit_code = 0, .out = endpoint_status(etcd_nodes())});
  EtcdStatus status = ClusterFacts(cluster_, transport_).etcd_status();
  for (const auto& member : status.members) EXPECT_TRUE(member.answered) << member.node;
  EXPECT_EQ(asked().size(), 1u);

  // Quorum really lost: every host sees one member at most; all are asked, the first view with
  // one member stands.
  testing::RecordingTransport lost;
  const std::string first = etcd_nodes()[0];
  lost.answer_with("endpoint status", [&](const std::string& host, const std::string&) {
    return transport::CommandResult{.exit_code = 1,
                                    .out = host == first ? endpoint_status({first}) : "[]"};
  });
  status = ClusterFacts(cluster_, lost).etcd_status();
  std::size_t answered = 0;
  for (const auto& member : status.members) answered += member.answered ? 1 : 0;
  EXPECT_EQ(answered, 1u);
  std::size_t asked_hosts = 0;
  for (const auto& call : lost.calls())
    asked_hosts += call.what.find("endpoint status") != std::string::npos ? 1 : 0;
  EXPECT_EQ(asked_hosts, cluster_.nodes_with_role(model::Role::kControlPlane).size());
}

TEST_F(ClusterFactsTest, AHostThatDoesNotAnswerCostsItsTimeoutOnceNotOnEveryQuestion) {
  // Given the first control-plane host down (its etcdctl prints nothing: the transport timed
  // out), the first question tries it and moves on; later ones start at the host that answered,
  // as the drill's watchers ask every 200 ms while a host is down.
  const std::string dead = cluster_.nodes_with_role(model::Role::kControlPlane)[0]->name;
  transport_.answer_with("endpoint status", [&](const std::string& host, const std::string&) {
    return transport::CommandResult{.exit_code = host == dead ? 255 : 0,
                                    .out = host == dead ? "" : endpoint_status(etcd_nodes())};
  });
  ClusterFacts facts(cluster_, transport_);
  for (int question = 0; question < 3; ++question)
    EXPECT_EQ(facts.etcd_status().leader, etcd_nodes()[0]);
  std::vector<std::string> hosts = asked();
  ASSERT_EQ(hosts.size(), 4u);  // the dead host once, then the answering host three times
  EXPECT_EQ(std::count(hosts.begin(), hosts.end(), dead), 1);
  EXPECT_EQ(hosts.front(), dead);
}

TEST_F(ClusterFactsTest, EtcdsLeadershipIsHandedToTheMemberNamedByItsIdInHexadecimal) {
  // Given members with ids 1, 2 and 3 and member 1 leading, moving the leadership to the third
  // node should ask etcdctl to move it to id 3 and return once the members name the third node.
  const std::vector<std::string> members = etcd_nodes();
  ASSERT_EQ(members.size(), 3u);
  std::uint64_t leader = 1;
  std::vector<std::string> moves;
  transport_.answer_with("endpoint status", [&](const std::string&, const std::string&) {
    return transport::CommandResult{.exit_code = 0, .out = endpoint_status(members, leader)};
  });
  transport_.answer_with("move-leader", [&](const std::string&, const std::string& script) {
    std::string id = script.substr(script.find("move-leader ") + 12);
    moves.push_back(id);
    leader = std::stoull(id, nullptr, 16);
    return transport::CommandResult{.exit_code = 0, .out = "Leadership transferred\n"};
  });
  ClusterFacts facts(cluster_, transport_);
  auto moved = facts.move_etcd_leader(members[2], std::chrono::seconds(5));
  ASSERT_TRUE(moved) << util::format_error(moved.error());
  EXPECT_EQ(moves, std::vector<std::string>{"3"});
  EXPECT_EQ(facts.etcd_status().leader, members[2]);

  // A member that leads already is not moved again.
  ASSERT_TRUE(facts.move_etcd_leader(members[2], std::chrono::seconds(5)));
  EXPECT_EQ(moves.size(), 1u);
}

TEST_F(ClusterFactsTest, ALeadershipThatDoesNotMoveIsAnErrorAfterTheLimit) {
  const std::vector<std::string> members = etcd_nodes();
  transport_.answer("endpoint status", {.exit_code = 0, .out = endpoint_status(members, 1)});
  transport_.answer("move-leader", {.exit_code = 1, .out = ""});
  auto start = std::chrono::steady_clock::now();
  auto moved = ClusterFacts(cluster_, transport_)
                   .move_etcd_leader(members[1], std::chrono::milliseconds(500));
  ASSERT_FALSE(moved);
  EXPECT_NE(moved.error().message.find("did not move to " + members[1]), std::string::npos)
      << moved.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

// One host's answer to "do you hold the VIP": grep's 0 is yes, its 1 no, and anything else (ssh
// could not reach it, or the question timed out) no answer, never a no.
TEST_F(ClusterFactsTest, OneHostSaysWhetherItHoldsTheVipOrGivesNoAnswer) {
  ASSERT_EQ(cluster_.endpoint.mode, model::EndpointMode::kVip);
  const std::string vip = cluster_.endpoint.address->to_string();
  transport_.answer_with(" " + vip + "/", [](const std::string& host, const std::string&) {
    if (host == "a") return transport::CommandResult{.exit_code = 0};
    if (host == "b") return transport::CommandResult{.exit_code = 1};
    if (host == "c") return transport::CommandResult{.exit_code = 255};
    return transport::CommandResult{.exit_code = 1, .timed_out = true};
  });
  ClusterFacts facts(cluster_, transport_);
  EXPECT_EQ(facts.holds_vip("a"), std::optional<bool>(true));
  EXPECT_EQ(facts.holds_vip("b"), std::optional<bool>(false));
  EXPECT_EQ(facts.holds_vip("c"), std::nullopt);
  EXPECT_EQ(facts.holds_vip("d"), std::nullopt);
  ASSERT_EQ(transport_.calls().size(), 4u);
  EXPECT_EQ(transport_.calls()[0].host, "a");
}

// Watching the VIP on a loaded machine: a holder that answers late must not read as "nobody
// holds the VIP" (the drill reported that twice while the holder never left MASTER).
TEST_F(ClusterFactsTest, NobodyHoldsTheVipOnlyWhenEveryHostSaidSo) {
  std::vector<std::string> control;
  for (const model::Node* node : cluster_.nodes_with_role(model::Role::kControlPlane))
    control.push_back(node->name);
  ASSERT_GE(control.size(), 3u);
  // Each host's answer: 0 holds, 1 does not, anything else (or timed out) no answer.
  std::map<std::string, transport::CommandResult> answers;
  std::mutex mutex;  // the hosts are asked at once
  transport_.answer_with(" " + cluster_.endpoint.address->to_string() + "/",
                         [&](const std::string& host, const std::string&) {
                           std::lock_guard lock(mutex);
                           return answers.at(host);
                         });
  ClusterFacts facts(cluster_, transport_);
  auto all = [&](transport::CommandResult answer) {
    for (const std::string& name : control) answers[name] = answer;
  };
  all({.exit_code = 1});
  answers[control[1]] = {.exit_code = 0};
  EXPECT_EQ(facts.vip_holders_if_known(), std::optional(std::vector<std::string>{control[1]}));
  answers[control[0]] = {.exit_code = 1, .timed_out = true};
  EXPECT_EQ(facts.vip_holders_if_known(), std::optional(std::vector<std::string>{control[1]}))
      << "a host that answered holds it: known, whoever else is silent";
  answers[control[1]] = {.exit_code = 255};
  EXPECT_EQ(facts.vip_holders_if_known(), std::nullopt) << "the silent ones may hold it: not known";
  all({.exit_code = 1});
  EXPECT_EQ(facts.vip_holders_if_known(), std::optional(std::vector<std::string>{}))
      << "every host said no: nobody holds it";
}

}  // namespace
}  // namespace zerospof::observe
