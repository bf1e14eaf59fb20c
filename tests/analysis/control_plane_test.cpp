// analysis/control_plane.cpp: the availability rules of the cluster's own services (etcd
// quorum, apiservers, the API endpoint, leader-elected controllers, storage and BGP), each on a
// plan that breaks it and on the built-in plan that does not.
#include "analysis/control_plane.h"

#include "analysed.h"

namespace zerospof::analysis {
namespace {

using model::Role;
using testing::analysed;
using testing::criterion;
using testing::first_failure;
using testing::summary;
using zerospof::testing::PlanBuilder;

TEST(ControlPlaneTest, TwoEtcdMembersLoseQuorumWithOneNode) {
  const Report report =
      analysed(PlanBuilder()
                   .roles("cloudserver1", {Role::kControlPlane, Role::kWorker, Role::kStorage})
                   .build());
  EXPECT_TRUE(report.any_down());
  EXPECT_EQ(summary(report, "etcd").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "etcd"),
            "node micklethefickle down: 1 of 2 members left, no quorum (needs 2)");
  EXPECT_EQ(summary(report, "kube-apiserver").worst, Health::kDown);
  EXPECT_EQ(criterion(report, "etcd cluster maintains quorum").result, Criterion::Result::kFail);
}

TEST(ControlPlaneTest, OneControlPlaneNodeTakesTheApiDown) {
  const Report report =
      analysed(PlanBuilder()
                   .roles("cloudserver1", {Role::kEtcd, Role::kWorker, Role::kStorage})
                   .roles("cloudserver2", {Role::kEtcd, Role::kWorker, Role::kStorage})
                   .build());
  EXPECT_EQ(summary(report, "kube-apiserver").worst, Health::kDown);
  EXPECT_EQ(summary(report, "api-endpoint").worst, Health::kDown);
  EXPECT_EQ(summary(report, "kube-scheduler").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "kube-apiserver"),
            "node micklethefickle down: 0 of 1 instances left");
  EXPECT_EQ(criterion(report, "All control plane").result, Criterion::Result::kFail);
}

TEST(ControlPlaneTest, ALoneRouteReflectorIsASinglePointOfFailureAndTwoAreNot) {
  const Report one = analysed(PlanBuilder().route_reflectors({"cloudserver3"}).build());
  EXPECT_EQ(summary(one, "bgp").worst, Health::kDown);
  EXPECT_EQ(first_failure(one, "bgp"),
            "node cloudserver3 down: 0 of 1 route reflectors left: routes are withdrawn after the "
            "graceful restart window");
  const Report two =
      analysed(PlanBuilder().route_reflectors({"cloudserver3", "blackboar"}).build());
  EXPECT_EQ(summary(two, "bgp").worst, Health::kDegraded);
}

TEST(ControlPlaneTest, AVipAcrossSubnetsLeavesOneHolder) {
  // cloudserver1 and cloudserver2 are in another subnet: only micklethefickle can hold the VIP.
  const Report report = analysed(PlanBuilder()
                                     .addresses()
                                     .address("cloudserver1", "198.18.9.12/24")
                                     .address("cloudserver2", "198.18.9.13/24")
                                     .build());
  EXPECT_EQ(summary(report, "api-endpoint").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "api-endpoint"),
            "node micklethefickle down: no live node can hold the VIP");
  EXPECT_TRUE(testing::noted(report, "only 1 of 3"));
}

TEST(ControlPlaneTest, OneStorageReplicaLosesVolumes) {
  const Report report = analysed(PlanBuilder().storage_replicas(1).build());
  EXPECT_EQ(summary(report, "storage").worst, Health::kDown);
  EXPECT_EQ(criterion(report, "Storage maintains").result, Criterion::Result::kFail);
}

// An apiserver on an etcd member talks to that member alone (render/control_plane.cpp), so etcd
// stopped on a node takes that node's apiserver out of service too: two of three serve.
TEST(ControlPlaneTest, EtcdStoppedTakesItsNodesApiserverOutOfService) {
  const Report report = analysed(PlanBuilder().addresses().build());
  bool seen = false;
  for (const ScenarioResult& result : report.results) {
    const Scenario& scenario = report.scenarios[result.scenario];
    if (scenario.kind != ScenarioKind::kComponentStopped || scenario.component != Component::kEtcd)
      continue;
    for (const Verdict& verdict : result.verdicts) {
      const std::vector<int>& services = report.subjects[verdict.subject].services;
      if (report.services[services.front()].name != "kube-apiserver") continue;
      seen = true;
      EXPECT_EQ(verdict.health, Health::kDegraded) << report.scenario_name(scenario);
      EXPECT_EQ(verdict.live, 2) << report.scenario_name(scenario);
      EXPECT_EQ(verdict.total, 3) << report.scenario_name(scenario);
    }
  }
  EXPECT_TRUE(seen) << "no scenario stopped etcd and touched an apiserver";
}

TEST(ControlPlaneTest, ALocalProxyStoppedCutsItsNodeOff) {
  const Report report = analysed(PlanBuilder().local_proxy().build());
  EXPECT_FALSE(report.any_down());
  bool found = false;
  for (const ScenarioResult& result : report.results) {
    if (report.scenario_name(report.scenarios[result.scenario]) != "haproxy stopped on blackboar")
      continue;
    for (const Verdict& verdict : result.verdicts)
      found = found || report.reason_text(verdict).rfind("blackboar loses the API", 0) == 0;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace zerospof::analysis
