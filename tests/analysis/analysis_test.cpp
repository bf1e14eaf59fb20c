// The analysis end to end on small plans: each test states a plan (an edit of the built-in
// one) and what `check` must conclude about it.
#include "analysis/analysis.h"

#include <gtest/gtest.h>

#include "plan/plan.h"
#include "support/test_plans.h"
#include "util/terminal.h"

namespace zerospof::analysis {
namespace {

using testing::addressed_plan;
using testing::replace_once;

Report check(const std::string& plan_text, const std::string& manifests_text = "",
             int failures = 1) {
  model::Cluster cluster = testing::load_plan(plan_text);
  model::Manifests manifests;
  if (!manifests_text.empty()) {
    auto loaded = plan::load_manifests_from_string(manifests_text, "manifests.yaml");
    EXPECT_TRUE(loaded) << util::format_error(loaded.error());
    if (loaded) manifests = *loaded;
  }
  Options options;
  options.failures = failures;
  return analyse(cluster, manifests, options);
}

const ServiceSummary& summary(const Report& report, const std::string& service) {
  for (size_t i = 0; i < report.services.size(); ++i)
    if (report.services[i].name == service) return report.summaries[i];
  ADD_FAILURE() << "no service " << service;
  static ServiceSummary none;
  return none;
}

std::string first_failure(const Report& report, const std::string& service) {
  const ServiceSummary& s = summary(report, service);
  if (s.worst == Health::kOk) return "";
  return report.scenario_name(s.scenario) + ": " + report.reason_text(s.first_verdict);
}

const Criterion& criterion(const Report& report, const std::string& prefix) {
  for (const Criterion& c : report.criteria)
    if (c.text.rfind(prefix, 0) == 0) return c;
  ADD_FAILURE() << "no criterion " << prefix;
  static Criterion none;
  return none;
}

TEST(AnalysisTest, BuiltinPlanHasNoSinglePointOfFailure) {
  Report report = check(plan::builtin_plan_yaml());
  EXPECT_FALSE(report.any_down()) << format_text(report, util::Style(false), false);
  // 1 baseline + 5 nodes + component stops + 15 bipartitions of 5 nodes.
  int partitions = 0, stops = 0;
  for (const Scenario& scenario : report.scenarios) {
    partitions += scenario.kind == ScenarioKind::kPartition;
    stops += scenario.kind == ScenarioKind::kComponentStopped;
  }
  EXPECT_EQ(partitions, 15);
  EXPECT_EQ(stops, 3 * 7 + 2 * 1);  // control-plane nodes: 7 components; workers: kubelet
  for (const Criterion& c : report.criteria)
    EXPECT_NE(c.result, Criterion::Result::kFail) << c.text << ": " << c.reason;
  EXPECT_EQ(summary(report, "etcd").worst, Health::kDegraded);
}

TEST(AnalysisTest, BuiltinPlanSaysTheVipSegmentCannotBeChecked) {
  Report report = check(plan::builtin_plan_yaml());
  bool said = false;
  for (const std::string& note : report.notes)
    said = said || (note.find("L2 segment") != std::string::npos &&
                    note.find("could not be checked") != std::string::npos);
  EXPECT_TRUE(said);
}

TEST(AnalysisTest, CorednsSpreadsAndReschedulesOnWorkerLoss) {
  Report report = check(plan::builtin_plan_yaml());
  const ServiceSummary& coredns = summary(report, "deployment/kube-system/coredns");
  EXPECT_EQ(coredns.worst, Health::kDegraded);
  EXPECT_EQ(coredns.first_verdict.live, 2);
  EXPECT_EQ(coredns.first_verdict.live_after, 3);  // 4 workers: one left to reschedule onto
}

TEST(AnalysisTest, TwoEtcdMembersLoseQuorumWithOneNode) {
  Report report =
      check(replace_once(plan::builtin_plan_yaml(),
                         "roles: [control-plane, etcd, worker, storage]\n    - name: cloudserver2",
                         "roles: [control-plane, worker, storage]\n    - name: cloudserver2"));
  EXPECT_TRUE(report.any_down());
  EXPECT_EQ(summary(report, "etcd").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "etcd"),
            "node micklethefickle down: 1 of 2 members left, no quorum (needs 2)");
  EXPECT_EQ(summary(report, "kube-apiserver").worst, Health::kDown);
  EXPECT_EQ(criterion(report, "etcd cluster maintains quorum").result, Criterion::Result::kFail);
}

TEST(AnalysisTest, OneCorednsReplicaIsASinglePointOfFailure) {
  Report report = check(replace_once(plan::builtin_plan_yaml(), "replicas: 3\n    ingress",
                                     "replicas: 1\n    ingress"));
  EXPECT_EQ(summary(report, "deployment/kube-system/coredns").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "deployment/kube-system/coredns"),
            "node cloudserver1 down: 0 of 1 replicas left; 1 after rescheduling");
  EXPECT_EQ(criterion(report, "Services continue").result, Criterion::Result::kFail);
}

TEST(AnalysisTest, OneControlPlaneNodeTakesTheApiDown) {
  std::string text = plan::builtin_plan_yaml();
  text = replace_once(text, "roles: [control-plane, etcd, worker, storage]",
                      "roles: [etcd, worker, storage]");
  text = replace_once(text, "roles: [control-plane, etcd, worker, storage]",
                      "roles: [etcd, worker, storage]");
  Report report = check(text);
  EXPECT_EQ(summary(report, "kube-apiserver").worst, Health::kDown);
  EXPECT_EQ(summary(report, "api-endpoint").worst, Health::kDown);
  EXPECT_EQ(summary(report, "kube-scheduler").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "kube-apiserver"),
            "node micklethefickle down: 0 of 1 instances left");
  EXPECT_EQ(criterion(report, "All control plane").result, Criterion::Result::kFail);
}

TEST(AnalysisTest, LoneRouteReflectorIsASinglePointOfFailure) {
  Report report =
      check(replace_once(plan::builtin_plan_yaml(), "peering: full-mesh",
                         "peering: route-reflectors\n      routeReflectors: [cloudserver3]"));
  EXPECT_EQ(summary(report, "bgp").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "bgp"),
            "node cloudserver3 down: 0 of 1 route reflectors left: routes are withdrawn after the "
            "graceful restart window");
  Report two = check(
      replace_once(plan::builtin_plan_yaml(), "peering: full-mesh",
                   "peering: route-reflectors\n      routeReflectors: [cloudserver3, blackboar]"));
  EXPECT_EQ(summary(two, "bgp").worst, Health::kDegraded);
}

TEST(AnalysisTest, VipAcrossSubnetsLeavesOneHolder) {
  // cloudserver1 and cloudserver2 are in another subnet: only micklethefickle can hold the VIP.
  std::string text = replace_once(addressed_plan(), "198.18.7.12/24", "198.18.9.12/24");
  text = replace_once(text, "198.18.7.13/24", "198.18.9.13/24");
  Report report = check(text);
  EXPECT_EQ(summary(report, "api-endpoint").worst, Health::kDown);
  EXPECT_EQ(first_failure(report, "api-endpoint"),
            "node micklethefickle down: no live node can hold the VIP");
  bool noted = false;
  for (const std::string& note : report.notes)
    noted = noted || note.find("only 1 of 3") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(AnalysisTest, OneStorageReplicaLosesVolumes) {
  Report report = check(
      replace_once(plan::builtin_plan_yaml(), "replicas: 3\n  addons", "replicas: 1\n  addons"));
  EXPECT_EQ(summary(report, "storage").worst, Health::kDown);
  EXPECT_EQ(criterion(report, "Storage maintains").result, Criterion::Result::kFail);
}

TEST(AnalysisTest, UpstreamIngressNginxIsASinglePointOfFailureWithoutPdb) {
  auto manifests =
      plan::load_manifests({testing::shared_path("upstream/ingress-nginx-baremetal.yaml")});
  ASSERT_TRUE(manifests);
  Report report = analyse(plan::builtin_plan(), *manifests, Options{});
  const std::string name = "deployment/ingress-nginx/ingress-nginx-controller";
  EXPECT_EQ(summary(report, name).worst, Health::kDown);
  EXPECT_NE(first_failure(report, name).find("0 of 1 replicas left"), std::string::npos);
  const Criterion& budgets = criterion(report, "Pod disruption budgets");
  EXPECT_EQ(budgets.result, Criterion::Result::kFail);
  EXPECT_NE(budgets.reason.find("ingress-nginx-controller"), std::string::npos);
}

TEST(AnalysisTest, TwoFailuresFindTheSmallestFailingPair) {
  Report report = check(plan::builtin_plan_yaml(), "", 2);
  EXPECT_TRUE(report.any_down());
  const ServiceSummary& etcd = summary(report, "etcd");
  EXPECT_EQ(etcd.worst, Health::kDown);
  EXPECT_EQ(etcd.scenario.failure_count, 2);
  EXPECT_EQ(first_failure(report, "etcd"),
            "nodes micklethefickle+cloudserver1 down: 1 of 3 members left, no quorum (needs 2)");
}

// The rare path: a split in which neither side keeps etcd quorum takes the API down; a split
// with a majority side only degrades.
TEST(AnalysisTest, PartitionWithoutMajorityTakesTheApiDown) {
  std::string text =
      replace_once(plan::builtin_plan_yaml(), "roles: [worker, storage]\n    - name: blackboar",
                   "roles: [worker, storage, etcd]\n    - name: blackboar");
  Report report = check(text);
  const ServiceSummary& etcd = summary(report, "etcd");
  ASSERT_EQ(etcd.worst, Health::kDown);
  const Scenario& split = etcd.scenario;
  EXPECT_EQ(split.kind, ScenarioKind::kPartition);
  EXPECT_EQ(report.scenario_name(split),
            "partition micklethefickle,cloudserver1 | cloudserver2,cloudserver3,blackboar");
  Report builtin = check(plan::builtin_plan_yaml());
  for (const ScenarioResult& result : builtin.results)
    if (builtin.scenarios[result.scenario].kind == ScenarioKind::kPartition) {
      EXPECT_NE(result.worst, Health::kDown);
    }
}

TEST(AnalysisTest, ZoneFailureCountsAsOneFailure) {
  std::string text = plan::builtin_plan_yaml();
  const char* zones[] = {"a", "a", "b", "c", "c"};
  const char* names[] = {"micklethefickle", "cloudserver1", "cloudserver2", "cloudserver3",
                         "blackboar"};
  for (int i = 0; i < 5; ++i)
    text = replace_once(
        text, std::string("host: ") + names[i] + ".bolabaden.org\n",
        std::string("host: ") + names[i] + ".bolabaden.org\n      zone: " + zones[i] + "\n");
  Report report = check(text);
  EXPECT_TRUE(report.zones);
  EXPECT_EQ(report.domain_names.size(), 3u);
  EXPECT_EQ(first_failure(report, "etcd"), "zone a down: 1 of 3 members left, no quorum (needs 2)");
}

// Nodes with these power feeds, in the built-in plan's node order.
std::string with_power_feeds(const std::vector<std::string>& feeds) {
  std::string text = plan::builtin_plan_yaml();
  const char* names[] = {"micklethefickle", "cloudserver1", "cloudserver2", "cloudserver3",
                         "blackboar"};
  for (std::size_t i = 0; i < feeds.size(); ++i)
    text = replace_once(
        text, std::string("host: ") + names[i] + ".bolabaden.org\n",
        std::string("host: ") + names[i] + ".bolabaden.org\n      powerFeed: " + feeds[i] + "\n");
  return text;
}

// Two etcd members on one power feed: no single node takes etcd down, the feed does; that is
// the single point of failure an object-by-object or node-by-node view misses.
TEST(AnalysisTest, APowerFeedUnderTwoEtcdMembersTakesEtcdDown) {
  Report report = check(with_power_feeds({"A", "A", "B", "B", "B"}));
  EXPECT_EQ(report.power_feed_names, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(first_failure(report, "etcd"),
            "power feed A down: 1 of 3 members left, no quorum (needs 2)");
  EXPECT_EQ(summary(report, "etcd").scenario.kind, ScenarioKind::kPowerFeedDown);
  EXPECT_EQ(summary(report, "etcd").scenario.failure_count, 1);
  const Criterion& quorum = criterion(report, "etcd cluster maintains quorum");
  EXPECT_EQ(quorum.result, Criterion::Result::kFail);
  EXPECT_NE(quorum.reason.find("with power feed A down, 1 of 3 members are left"),
            std::string::npos)
      << quorum.reason;
  // The same nodes without feeds: no single failure takes etcd down.
  EXPECT_NE(summary(check(plan::builtin_plan_yaml()), "etcd").worst, Health::kDown);
}

// Nodes carry their feed as a label (render sets zerospof.io/power-feed), so a workload pinned to
// one feed by a node selector goes down with it.
TEST(AnalysisTest, AWorkloadPinnedToOneFeedGoesDownWithIt) {
  Report report = check(with_power_feeds({"A", "B", "C", "A", "A"}), R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {zerospof.io/power-feed: A}
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
           labelSelector: {matchLabels: {app: web}}}
      containers: [{name: web}]
)");
  const ServiceSummary& web = summary(report, "deployment/shop/web");
  EXPECT_EQ(web.worst, Health::kDown);
  EXPECT_EQ(report.scenario_name(web.scenario), "power feed A down");
}

TEST(AnalysisTest, FeedsThatSplitTheEtcdMembersTakeNothingDown) {
  Report report = check(with_power_feeds({"A", "B", "C", "A", "B"}));
  EXPECT_NE(summary(report, "etcd").worst, Health::kDown);
  EXPECT_EQ(criterion(report, "etcd cluster maintains quorum").result, Criterion::Result::kPass);
  int feed_scenarios = 0;
  for (const ScenarioResult& result : report.results)
    feed_scenarios += report.scenarios[result.scenario].kind == ScenarioKind::kPowerFeedDown;
  EXPECT_EQ(feed_scenarios, 2);  // A and B; C feeds cloudserver2 alone, its node's scenario
  EXPECT_EQ(report.power_feed_names, (std::vector<std::string>{"A", "B"}));
}

TEST(AnalysisTest, ComponentStopsDegradeWithoutTakingAnythingDown) {
  Report report = check(addressed_plan());
  bool saw_etcd_stop = false, saw_kubelet_stop = false;
  for (const ScenarioResult& result : report.results) {
    const Scenario& scenario = report.scenarios[result.scenario];
    if (scenario.kind != ScenarioKind::kComponentStopped) continue;
    EXPECT_NE(result.worst, Health::kDown) << report.scenario_name(scenario);
    saw_etcd_stop = saw_etcd_stop ||
                    (scenario.component == Component::kEtcd && result.worst == Health::kDegraded);
    saw_kubelet_stop =
        saw_kubelet_stop || (scenario.component == Component::kKubelet &&
                             report.scenario_name(scenario) == "kubelet stopped on blackboar" &&
                             result.worst == Health::kDegraded);
  }
  EXPECT_TRUE(saw_etcd_stop);
  EXPECT_TRUE(saw_kubelet_stop);
}

// An apiserver on an etcd member talks to that member alone (render/control_plane.cpp), so etcd
// stopped on a node takes that node's apiserver out of service too: two of three serve.
TEST(AnalysisTest, EtcdStoppedTakesItsNodesApiserverOutOfService) {
  Report report = check(addressed_plan());
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

TEST(AnalysisTest, LocalProxyStoppedCutsItsNodeOff) {
  std::string text = replace_once(plan::builtin_plan_yaml(), "mode: vip", "mode: local-proxy");
  text = replace_once(text, "    address: 198.18.0.100\n", "");
  Report report = check(text);
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

constexpr const char* kStatefulSet = R"(
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: db}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {labelSelector: {matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}
      containers: [{name: db}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}}
)";

TEST(AnalysisTest, StatefulSetPodsOnADeadNodeStayLost) {
  Report report = check(plan::builtin_plan_yaml(), kStatefulSet);
  const ServiceSummary& db = summary(report, "statefulset/shop/db");
  EXPECT_EQ(db.worst, Health::kDegraded);
  EXPECT_EQ(db.first_verdict.reason, Reason::kStatefulSetStuck);
  EXPECT_EQ(db.first_verdict.live_after, 2);
  EXPECT_EQ(criterion(report, "All services have proper health checks").result,
            Criterion::Result::kFail);
}

TEST(AnalysisTest, NoRequiredSpreadAssumesReplicasShareANode) {
  std::string manifest = replace_once(kStatefulSet, "StatefulSet", "Deployment");
  manifest =
      replace_once(manifest,
                   "requiredDuringSchedulingIgnoredDuringExecution:\n            - {labelSelector: "
                   "{matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}",
                   "preferredDuringSchedulingIgnoredDuringExecution: []");
  Report report = check(plan::builtin_plan_yaml(), manifest);
  const ServiceSummary& db = summary(report, "deployment/shop/db");
  EXPECT_EQ(db.worst, Health::kDown);
  EXPECT_EQ(db.first_verdict.reason, Reason::kMayShareNode);
}

TEST(AnalysisTest, RequestsBeyondSurvivingCapacityAreNotRescheduled) {
  std::string text = plan::builtin_plan_yaml();
  for (int i = 0; i < 4; ++i)  // the four workers: 8 CPUs in all, 6 after losing one
    text = replace_once(text, "storage]\n", "storage ]\n      capacity: {cpu: 2, memory: 8Gi}\n");
  std::string manifest = replace_once(kStatefulSet, "StatefulSet", "Deployment");
  manifest = replace_once(manifest, "containers: [{name: db}]",
                          "containers: [{name: db, resources: {requests: {cpu: 1800m}}}]");
  manifest = replace_once(manifest, "replicas: 3", "replicas: 4");  // 7.2 CPUs requested
  Report report = check(text, manifest);
  const ServiceSummary& db = summary(report, "deployment/shop/db");
  EXPECT_EQ(db.first_verdict.reason, Reason::kNoCapacity)
      << first_failure(report, "deployment/shop/db");
}

TEST(ReportTest, JsonHasTheDocumentedFields) {
  Report report = check(plan::builtin_plan_yaml());
  std::string json = format_json(report);
  for (const char* field :
       {"\"schemaVersion\": 2", "\"scenarios\"", "\"pointsOfFailure\"", "\"criteria\"",
        "\"verdict\": \"ok\"", "\"afterRecovery\"", "\"failureDomains\""})
    EXPECT_NE(json.find(field), std::string::npos) << field;
}

// Scenarios that degrade many workloads at once: the details listed are bounded in verdicts, and
// the text shows a bounded number of lines per scenario; the counts still cover every scenario.
TEST(ReportTest, DetailsAreBoundedInVerdictsAndLines) {
  model::Manifests manifests;
  for (int i = 0; i < 60; ++i) {
    model::Workload workload;
    workload.name = "web-" + std::to_string(i);
    workload.replicas = 3;
    workload.pod_labels = {{"app", workload.name}};
    workload.cpu_request_millicores = i;  // each its own group: a verdict each
    workload.priority = i;
    manifests.workloads.push_back(std::move(workload));
  }
  Options options;
  const Report every = analyse(plan::builtin_plan(), manifests, options);
  options.detail_verdict_limit = 100;
  const Report bounded = analyse(plan::builtin_plan(), manifests, options);
  long listed = 0;
  for (const ScenarioResult& result : bounded.results)
    listed += static_cast<long>(result.verdicts.size());
  EXPECT_LE(listed, 100);
  EXPECT_LT(bounded.results.size(), every.results.size());
  EXPECT_GT(bounded.omitted, 0);
  EXPECT_EQ(bounded.scenario_count, every.scenario_count);
  EXPECT_EQ(bounded.health_counts[1], every.health_counts[1]);

  std::string text = format_text(every, util::Style(false), false);
  EXPECT_NE(text.find("more services degraded or down here: --verbose lists them"),
            std::string::npos);
  std::string verbose = format_text(every, util::Style(false), true);
  EXPECT_EQ(verbose.find("more services degraded or down here"), std::string::npos);
  EXPECT_NE(verbose.find("deployment/default/web-59"), std::string::npos);
}

TEST(ReportTest, TextWithoutColourHasNoEscapeCodes) {
  Report report = check(plan::builtin_plan_yaml());
  std::string text = format_text(report, util::Style(false), false);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("✔ no single point of failure"), std::string::npos);
  EXPECT_NE(format_text(report, util::Style(true), false).find('\033'), std::string::npos);
}

}  // namespace
}  // namespace zerospof::analysis
