// audit: check's engine on a live model built from made-up observations of the built-in plan
// (addressed): actual placement decides, what has failed already counts in every scenario, drift
// from the plan says whether it changes a verdict, certificates due on every control-plane node
// are a dated single point of failure.
#include "audit/audit.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/healthy_observations.h"
#include "support/test_plans.h"

namespace zerospof::audit {
namespace {

// CoreDNS as the API holds it (the Deployment and the Service that selects it), with the nodes
// of its ready pods.
void add_coredns(status::Observations& observed, int replicas,
                 std::map<std::string, int> ready_on) {
  observed.api.objects.push_back(
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"namespace":"kube-system",)"
      R"("name":"coredns"},"spec":{"replicas":)" +
      std::to_string(replicas) +
      R"(,"selector":{"matchLabels":{"k8s-app":"kube-dns"}},"template":{"metadata":{"labels":)"
      R"({"k8s-app":"kube-dns"}},"spec":{"containers":[{"name":"coredns","image":"c"}]}}}})");
  observed.api.objects.push_back(
      R"({"apiVersion":"v1","kind":"Service","metadata":{"namespace":"kube-system",)"
      R"("name":"kube-dns"},"spec":{"selector":{"k8s-app":"kube-dns"},"ports":[{"port":53}]}})");
  int ready = 0;
  for (const auto& [node, count] : ready_on) ready += count;
  observed.api.workloads.push_back({.kind = "Deployment",
                                    .namespace_name = "kube-system",
                                    .name = "coredns",
                                    .desired = replicas,
                                    .ready = ready,
                                    .selector = {{"k8s-app", "kube-dns"}},
                                    .ready_on = ready_on});
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = testing::load_plan(testing::addressed_plan());
    observed_ = testing::healthy_observations(cluster_);
  }

  AuditReport run(int failures = 1) {
    auto report = audit(cluster_, observed_, {.failures = failures});
    EXPECT_TRUE(report.has_value()) << report.error().message;
    return report ? std::move(*report) : AuditReport{};
  }

  static const Tolerance& tolerance(const AuditReport& report, const std::string& service) {
    for (const auto& each : report.tolerances)
      if (each.service == service) return each;
    ADD_FAILURE() << "no service " << service;
    static Tolerance none;
    return none;
  }

  model::Cluster cluster_;
  status::Observations observed_;
};

TEST_F(AuditTest, ReplicasOnThreeNodesTolerateOneAndTheHealthyControlPlaneHasNoSinglePoint) {
  add_coredns(observed_, 3, {{"cloudserver1", 1}, {"cloudserver3", 1}, {"blackboar", 1}});
  AuditReport report = run();
  const auto& coredns = tolerance(report, "deployment/kube-system/coredns");
  EXPECT_TRUE(coredns.at_least);
  EXPECT_EQ(coredns.tolerates, 1);
  EXPECT_NE(coredns.now.find("3/3 ready"), std::string::npos) << coredns.now;
  EXPECT_TRUE(tolerance(report, "etcd").at_least);
  EXPECT_FALSE(report.any_single_point());
  EXPECT_EQ(exit_code(report), 0);
}

TEST_F(AuditTest, ReplicasScaledToOneAreASinglePointOnTheirNodeAndTheDriftChangesAVerdict) {
  add_coredns(observed_, 1, {{"cloudserver3", 1}});
  AuditReport report = run();
  const auto& coredns = tolerance(report, "deployment/kube-system/coredns");
  EXPECT_FALSE(coredns.at_least);
  EXPECT_EQ(coredns.tolerates, 0);
  EXPECT_NE(coredns.takes_it_down.find("cloudserver3"), std::string::npos) << coredns.takes_it_down;
  EXPECT_TRUE(report.any_single_point());
  EXPECT_EQ(exit_code(report), 1);
  auto drift = std::find_if(report.drifts.begin(), report.drifts.end(), [](const Drift& each) {
    return each.what.find(
               "deployment/kube-system/coredns: the plan runs 3 replicas, the "
               "cluster 1") != std::string::npos;
  });
  ASSERT_NE(drift, report.drifts.end());
  EXPECT_TRUE(drift->changes_verdict);
  EXPECT_NE(report_text(report, util::Style(false)).find("what each service tolerates now"),
            std::string::npos);
}

TEST_F(AuditTest, ThreeReplicasAllOnOneNodeAreASinglePointWhateverTheCount) {
  add_coredns(observed_, 3, {{"cloudserver1", 3}});
  AuditReport report = run();
  EXPECT_EQ(tolerance(report, "deployment/kube-system/coredns").tolerates, 0);
  EXPECT_FALSE(tolerance(report, "deployment/kube-system/coredns").at_least);
}

TEST_F(AuditTest, UnevenReplicasSurviveAnySingleNode) {
  // Two on one node and one on another: losing either leaves one.
  add_coredns(observed_, 3, {{"cloudserver1", 2}, {"cloudserver3", 1}});
  EXPECT_TRUE(tolerance(run(), "deployment/kube-system/coredns").at_least);
}

TEST_F(AuditTest, AnEtcdMemberStoppedNowLeavesEtcdToleratingNothing) {
  const std::string member = observed_.etcd.members[2].node;
  observed_.etcd.members[2].answered = false;
  for (auto& host : observed_.hosts)
    if (host.node == member)
      for (auto& unit : host.units)
        if (unit.unit == "zerospof-etcd.service") unit.active = "inactive";
  AuditReport report = run();
  const auto& etcd = tolerance(report, "etcd");
  EXPECT_EQ(etcd.tolerates, 0);
  EXPECT_FALSE(etcd.at_least);
  EXPECT_NE(etcd.now.find("2/3 members healthy"), std::string::npos) << etcd.now;
  auto model = live_model(cluster_, observed_, report.now, 1);
  ASSERT_TRUE(model.has_value());
  EXPECT_NE(std::find(model->options.stopped.begin(), model->options.stopped.end(),
                      std::pair{member, analysis::Component::kEtcd}),
            model->options.stopped.end());
}

// A real host's data plane (containerd, kube-proxy) failed now is judged as its kubelet stopped:
// the live model then has that node's pods lost in every scenario.
TEST_F(AuditTest, AFailedContainerRuntimeIsJudgedAsItsNodesKubeletStopped) {
  const std::string node = observed_.hosts.back().node;
  observed_.hosts.back().units.push_back(
      {.unit = "zerospof-containerd.service", .active = "failed", .enabled = true});
  AuditReport report = run();
  auto model = live_model(cluster_, observed_, report.now, 1);
  ASSERT_TRUE(model.has_value());
  EXPECT_NE(std::find(model->options.stopped.begin(), model->options.stopped.end(),
                      std::pair{node, analysis::Component::kKubelet}),
            model->options.stopped.end());
}

TEST_F(AuditTest, AHostDownNowIsDownInEveryScenario) {
  const std::string worker = observed_.hosts.back().node;
  observed_.hosts.back() = {.node = worker, .reachable = false, .error = "timed out"};
  observed_.api.nodes.back().ready = "Unknown";
  add_coredns(observed_, 3, {{"cloudserver1", 1}, {"cloudserver3", 1}});
  AuditReport report = run();
  auto model = live_model(cluster_, observed_, report.now, 1);
  ASSERT_TRUE(model.has_value());
  EXPECT_EQ(model->options.down_nodes, std::vector<std::string>{worker});
  // Two ready replicas on two nodes still tolerate one more node.
  EXPECT_TRUE(tolerance(report, "deployment/kube-system/coredns").at_least);
}

TEST_F(AuditTest, ACertificateDueOnEveryControlPlaneNodeIsADatedSinglePoint) {
  auto due = static_cast<std::int64_t>(testing::kObservedAt) + 86400 * 12;
  int control_seen = 0;
  for (auto& host : observed_.hosts) {
    if (!cluster_.find_node(host.node)->has_role(model::Role::kControlPlane)) continue;
    host.certificates.push_back({.path = "/etc/zerospof/pki/apiserver-etcd-client.crt",
                                 .not_after = due + control_seen * 3600});
    ++control_seen;
  }
  AuditReport report = run();
  ASSERT_EQ(report.scheduled.size(), 1u);
  EXPECT_EQ(report.scheduled[0].path, "/etc/zerospof/pki/apiserver-etcd-client.crt");
  EXPECT_NEAR(report.scheduled[0].days_left, 12, 1e-9);
  EXPECT_EQ(exit_code(report), 1);
  // Renewed on one of them: no longer a single point.
  bool renewed = false;
  for (auto& host : observed_.hosts) {
    for (auto& certificate : host.certificates) {
      if (!renewed && certificate.path.ends_with("apiserver-etcd-client.crt")) {
        certificate.not_after += 86400 * 365;
        renewed = true;
      }
    }
  }
  EXPECT_TRUE(run().scheduled.empty());
}

TEST_F(AuditTest, RenderedFilesAreComparedOnlyWhenGivenAndEachDifferenceIsListed) {
  auto not_compared = run();
  EXPECT_TRUE(std::any_of(
      not_compared.notes.begin(), not_compared.notes.end(), [](const std::string& note) {
        return note.find("drift from the rendered files not compared") != std::string::npos;
      }));
  auto report = audit(cluster_, observed_,
                      {.files_differing = std::map<std::string, std::vector<std::string>>{
                           {"cloudserver1", {"/etc/haproxy/haproxy.cfg"}}}});
  ASSERT_TRUE(report.has_value());
  auto file = std::find_if(report->drifts.begin(), report->drifts.end(), [](const Drift& drift) {
    return drift.what ==
           "cloudserver1:/etc/haproxy/haproxy.cfg differs from the rendered file or is missing";
  });
  ASSERT_NE(file, report->drifts.end());
  // HAProxy not coming back on cloudserver1 moves the VIP; with one more failure another node's
  // HAProxy still routes: no verdict changes, and the reason says what was assumed.
  EXPECT_FALSE(file->changes_verdict);
  EXPECT_NE(file->verdict.find("if haproxy on cloudserver1 cannot start with it: no service's "
                               "verdict changes"),
            std::string::npos)
      << file->verdict;
  EXPECT_EQ(report->drifts.size(), not_compared.drifts.size() + 1);
}

// A differing file is judged by its readers not coming back on that host: etcd's unit on a member
// leaves etcd no failure to spare, so one more failure loses quorum.
TEST_F(AuditTest, ADifferingEtcdFileChangesEtcdsVerdictAndAnUnknownFileIsNotJudged) {
  const std::string member = cluster_.nodes_with_role(model::Role::kEtcd).front()->name;
  const std::string worker = cluster_.nodes.back().name;
  auto report =
      audit(cluster_, observed_,
            {.files_differing = std::map<std::string, std::vector<std::string>>{
                 {member,
                  {"/etc/systemd/system/zerospof-etcd.service", "/etc/zerospof/pki/etcd/peer.key"}},
                 {worker, {"/etc/zerospof/notes.txt"}}}});
  ASSERT_TRUE(report.has_value());
  auto drift_of = [&](const std::string& what) {
    auto found = std::find_if(report->drifts.begin(), report->drifts.end(),
                              [&](const Drift& drift) { return drift.what.find(what) == 0; });
    EXPECT_NE(found, report->drifts.end()) << what;
    return found == report->drifts.end() ? Drift{} : *found;
  };
  for (const char* path :
       {"/etc/systemd/system/zerospof-etcd.service", "/etc/zerospof/pki/etcd/peer.key"}) {
    Drift etcd = drift_of(member + ":" + path);
    EXPECT_TRUE(etcd.changes_verdict) << etcd.verdict;
    EXPECT_NE(etcd.verdict.find("if etcd on " + member + " cannot start with it"),
              std::string::npos)
        << etcd.verdict;
    EXPECT_NE(etcd.verdict.find("etcd worst degraded now, down then"), std::string::npos)
        << etcd.verdict;
  }
  Drift unknown = drift_of(worker + ":/etc/zerospof/notes.txt");
  EXPECT_FALSE(unknown.changes_verdict);
  EXPECT_NE(unknown.verdict.find("not judged: zerospof does not know which component reads it"),
            std::string::npos);
}

// The firewall can cut its host off: judged as the host down. A host already down is not judged.
TEST_F(AuditTest, ADifferingFirewallIsJudgedAsItsHostCutOffAndADownHostIsNotJudged) {
  const std::string member = cluster_.nodes_with_role(model::Role::kEtcd).front()->name;
  auto report = audit(cluster_, observed_,
                      {.files_differing = std::map<std::string, std::vector<std::string>>{
                           {member, {"/etc/nftables.conf"}}}});
  ASSERT_TRUE(report.has_value());
  ASSERT_FALSE(report->drifts.empty());
  EXPECT_TRUE(report->drifts.back().changes_verdict) << report->drifts.back().verdict;
  EXPECT_NE(report->drifts.back().verdict.find("if " + member + "'s firewall cuts it off"),
            std::string::npos);

  auto& host = observed_.hosts.front();
  host = {.node = host.node, .reachable = false, .error = "ssh: connect timed out"};
  for (auto& node : observed_.api.nodes)
    if (node.name == host.node) node.ready = "Unknown";
  auto down = audit(cluster_, observed_,
                    {.files_differing = std::map<std::string, std::vector<std::string>>{
                         {host.node, {"/etc/nftables.conf"}}}});
  ASSERT_TRUE(down.has_value());
  EXPECT_NE(down->drifts.back().verdict.find("not judged: " + host.node + " is down now"),
            std::string::npos)
      << down->drifts.back().verdict;
}

// A volume attached to a node that is not Ready is a workload that cannot move: audit exits 1.
TEST_F(AuditTest, AVolumeStuckOnANodeThatIsNotReadyIsAFailureNow) {
  EXPECT_EQ(exit_code(run()), 0);
  const std::string worker = observed_.api.nodes.back().name;
  observed_.api.attachments = {
      {.name = "csi-a", .node = worker, .persistent_volume = "pv-a", .attached = true}};
  EXPECT_EQ(exit_code(run()), 0);
  observed_.api.nodes.back().ready = "False";
  auto report = run();
  ASSERT_EQ(report.now.stuck_attachments.size(), 1u);
  EXPECT_EQ(exit_code(report), 1);
}

}  // namespace
}  // namespace zerospof::audit
