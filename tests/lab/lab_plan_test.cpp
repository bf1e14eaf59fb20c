#include "lab/lab_plan.h"

#include <gtest/gtest.h>

#include "plan/plan.h"

namespace zerospof::lab {
namespace {

TEST(PlanLabTest, OneHostPerNodeOfTheBuiltInPlan) {
  auto state = plan_lab(plan::builtin_plan(), std::nullopt, default_subnet());
  ASSERT_TRUE(state.has_value());
  ASSERT_EQ(state->hosts.size(), 5u);
  EXPECT_EQ(state->hosts[0].name, "micklethefickle");
  EXPECT_EQ(state->hosts[4].name, "blackboar");
  EXPECT_EQ(state->hosts[4].address.to_string(), "198.18.0.14");
}

TEST(PlanLabTest, NodeCountTakesTheFirstNodes) {
  auto state = plan_lab(plan::builtin_plan(), 3, default_subnet());
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->hosts.size(), 3u);
  EXPECT_FALSE(plan_lab(plan::builtin_plan(), 6, default_subnet()).has_value());
  EXPECT_FALSE(plan_lab(plan::builtin_plan(), 0, default_subnet()).has_value());
}

TEST(PlanLabTest, RefusesASubnetOutsideTheLabRange) {
  EXPECT_FALSE(
      plan_lab(plan::builtin_plan(), std::nullopt, *model::Cidr::parse("10.0.0.0/24")).has_value());
}

TEST(LabClusterTest, PointsEveryNodeAtItsLabAddressAndTheLabKey) {
  auto plan = plan::builtin_plan();
  auto state = *plan_lab(plan, std::nullopt, default_subnet());
  auto cluster = lab_cluster(plan, state, "/state/id_ed25519");
  ASSERT_EQ(cluster.nodes.size(), 5u);
  for (std::size_t i = 0; i < cluster.nodes.size(); ++i) {
    const auto& node = cluster.nodes[i];
    EXPECT_EQ(node.host, state.hosts[i].address.to_string());
    EXPECT_TRUE(lab_range().contains(node.address->base));
    EXPECT_EQ(node.ssh.user, "root");
    EXPECT_EQ(node.ssh.identity_file, "/state/id_ed25519");
    EXPECT_EQ(node.roles, plan.nodes[i].roles);
  }
  if (cluster.endpoint.mode == model::EndpointMode::kVip) {
    EXPECT_EQ(cluster.endpoint.address, state.vip);
  }
  // Pod traffic crosses the lab bridge: its addresses are lab addresses too.
  EXPECT_EQ(cluster.kubernetes.pod_subnet, cluster_subnets(state.subnet).pods);
  EXPECT_EQ(cluster.kubernetes.service_subnet, cluster_subnets(state.subnet).services);
}

TEST(LabClusterTest, LabYamlLoadsBackAsTheSameCluster) {
  auto plan = plan::builtin_plan();
  auto state = *plan_lab(plan, std::nullopt, default_subnet());
  auto cluster = lab_cluster(plan, state, "/state/id_ed25519");
  auto loaded = plan::load_from_string(plan::to_yaml(cluster), "lab.yaml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_EQ(loaded->nodes.size(), cluster.nodes.size());
  for (std::size_t i = 0; i < cluster.nodes.size(); ++i) {
    EXPECT_EQ(loaded->nodes[i].host, cluster.nodes[i].host);
    EXPECT_EQ(loaded->nodes[i].address, cluster.nodes[i].address);
    EXPECT_EQ(loaded->nodes[i].ssh.identity_file, "/state/id_ed25519");
  }
  EXPECT_EQ(loaded->endpoint.address, cluster.endpoint.address);
  EXPECT_EQ(loaded->kubernetes.pod_subnet, cluster.kubernetes.pod_subnet);
  EXPECT_EQ(loaded->kubernetes.service_subnet, cluster.kubernetes.service_subnet);
}

TEST(KnownHostsTest, PinsEachHostByNameAndAddress) {
  auto state = *plan_lab(plan::builtin_plan(), 2, default_subnet());
  auto text = known_hosts_text(
      state, {{"micklethefickle", "ssh-ed25519 AAAA1 m"}, {"cloudserver1", "ssh-ed25519 AAAA2 c"}});
  EXPECT_EQ(text,
            "micklethefickle,198.18.0.10 ssh-ed25519 AAAA1 m\n"
            "cloudserver1,198.18.0.11 ssh-ed25519 AAAA2 c\n");
}

TEST(HostsFileTest, ListsEveryHost) {
  auto state = *plan_lab(plan::builtin_plan(), 2, default_subnet());
  auto text = hosts_file_text(state);
  EXPECT_NE(text.find("198.18.0.10 micklethefickle\n"), std::string::npos);
  EXPECT_NE(text.find("198.18.0.11 cloudserver1\n"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::lab
