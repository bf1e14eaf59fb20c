// analysis/workloads.cpp, capacity by priority: after a failure the surviving nodes' requests go
// to the highest priority first; a level that does not fit leaves its displaced pods Pending,
// and a level whose room higher ones need is preempted.
#include "analysis/workloads.h"

#include <gtest/gtest.h>

#include "analysed.h"

namespace zerospof::analysis {
namespace {

// Four workers of 2 CPUs each (8 in all, 6 after losing one). "web" asks 3 x 1.8 CPUs, "batch"
// 2 x 1 CPU: 7.4 CPUs, which fit before a failure and not after.
std::string manifests(const std::string& web_class, const std::string& batch_class) {
  auto deployment = [](const std::string& name, int replicas, const std::string& cpu,
                       const std::string& priority_class) {
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
           ", namespace: shop}\nspec:\n  replicas: " + std::to_string(replicas) +
           "\n  template:\n    metadata: {labels: {app: " + name + "}}\n    spec:\n" +
           (priority_class.empty() ? "" : "      priorityClassName: " + priority_class + "\n") +
           "      affinity:\n        podAntiAffinity:\n"
           "          requiredDuringSchedulingIgnoredDuringExecution:\n"
           "            - {labelSelector: {matchLabels: {app: " +
           name +
           "}}, topologyKey: kubernetes.io/hostname}\n"
           "      containers: [{name: c, resources: {requests: {cpu: " +
           cpu + "}}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name +
           ", namespace: shop}\nspec: {selector: {app: " + name + "}}\n---\n";
  };
  return deployment("web", 3, "1800m", web_class) + deployment("batch", 2, "1000m", batch_class) +
         "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\n"
         "value: 1000\n";
}

// The four workers with 2 CPUs each.
model::Cluster two_cpu_workers() {
  zerospof::testing::PlanBuilder plan;
  for (const char* worker : {"cloudserver1", "cloudserver2", "cloudserver3", "blackboar"})
    plan.capacity(worker, 2000, 8LL << 30);
  return plan.build();
}

Report checked(const std::string& manifest_text) {
  return testing::analysed(two_cpu_workers(), testing::inline_manifests(manifest_text));
}

// The verdict of `service` in the scenario that kills worker `node`.
Verdict verdict_when_down(const Report& report, const std::string& service,
                          const std::string& node) {
  for (const ScenarioResult& result : report.results) {
    if (report.scenario_name(report.scenarios[result.scenario]) != "node " + node + " down")
      continue;
    for (const Verdict& verdict : result.verdicts)
      for (int index : report.subjects[verdict.subject].services)
        if (report.services[index].name == service) return verdict;
  }
  return Verdict{};  // ok: not listed
}

TEST(WorkloadCapacity, HigherPriorityPodsPreemptLowerOnesForTheRoomLeft) {
  // Given web at priority 1000 and batch at 0, losing a worker that held a web replica: web
  // needs 5.4 of the 6 CPUs left, so batch keeps 0.6 of its 2 CPUs: none of its pods.
  const Report report = checked(manifests("high", ""));
  bool preempted = false;
  for (const char* node : {"cloudserver1", "cloudserver2", "cloudserver3", "blackboar"}) {
    const Verdict web = verdict_when_down(report, "deployment/shop/web", node);
    EXPECT_NE(web.reason, Reason::kNoCapacity) << node;
    const Verdict batch = verdict_when_down(report, "deployment/shop/batch", node);
    if (batch.reason != Reason::kPreempted) continue;
    preempted = true;
    EXPECT_EQ(batch.live_after, 0) << node;
    EXPECT_EQ(batch.extra, 0) << node;
    EXPECT_NE(report.reason_text(batch).find("higher-priority pods take the room"),
              std::string::npos);
  }
  EXPECT_TRUE(preempted) << "no worker failure preempted batch";
}

TEST(WorkloadCapacity, EqualPrioritiesNeverPreemptEachOther) {
  // Given both at priority 0: web's displaced replica stays Pending for want of room, and batch,
  // which lost nothing on that node, keeps running.
  const Report report = checked(manifests("", ""));
  bool pending = false;
  for (const char* node : {"cloudserver1", "cloudserver2", "cloudserver3", "blackboar"}) {
    const Verdict web = verdict_when_down(report, "deployment/shop/web", node);
    pending = pending || web.reason == Reason::kNoCapacity;
    EXPECT_NE(verdict_when_down(report, "deployment/shop/batch", node).reason, Reason::kPreempted)
        << node;
  }
  EXPECT_TRUE(pending);
}

TEST(WorkloadCapacity, AClassThatNeverPreemptsWaitsForRoomInsteadOfEvicting) {
  // Given web at 1000 with preemptionPolicy Never: losing a worker that held a web replica, web
  // may not evict batch, so batch keeps running everywhere and web's displaced replica stays
  // Pending: 6 CPUs left, batch holds 2, web's 3 x 1.8 do not fit in the other 4.
  const Report report = checked(manifests("patient", "") +
                                "---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n"
                                "metadata: {name: patient}\nvalue: 1000\n"
                                "preemptionPolicy: Never\n");
  bool waits = false;
  for (const char* node : {"cloudserver1", "cloudserver2", "cloudserver3", "blackboar"}) {
    EXPECT_NE(verdict_when_down(report, "deployment/shop/batch", node).reason, Reason::kPreempted)
        << node;
    const Verdict web = verdict_when_down(report, "deployment/shop/web", node);
    if (web.reason != Reason::kWaitsWithoutPreempting) continue;
    waits = true;
    EXPECT_EQ(web.live, 2) << node;
    EXPECT_EQ(web.live_after, 2) << node;
    EXPECT_NE(report.reason_text(web).find("preemptionPolicy: Never"), std::string::npos);
  }
  EXPECT_TRUE(waits) << "no worker failure left web's replica waiting";
  // The same class, preempting: batch is preempted for web (the rule that Never turns off).
  const Report preempting = checked(manifests("high", ""));
  bool preempted = false;
  for (const char* node : {"cloudserver1", "cloudserver2", "cloudserver3", "blackboar"})
    preempted = preempted || verdict_when_down(preempting, "deployment/shop/batch", node).reason ==
                                 Reason::kPreempted;
  EXPECT_TRUE(preempted);
}

TEST(WorkloadCapacity, AClassNotAmongTheObjectsIsJudgedAtZeroAndNamed) {
  const Report report = checked(manifests("missing-class", ""));
  bool named = false;
  for (const std::string& note : report.notes)
    named = named || note.find("deployment/shop/web (missing-class)") != std::string::npos;
  EXPECT_TRUE(named);
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

// kStatefulSet as a Deployment, with `edit` replacing its anti-affinity or container line.
std::string db_deployment(const std::string& from = "", const std::string& to = "") {
  std::string manifest = zerospof::testing::replace_once(kStatefulSet, "StatefulSet", "Deployment");
  return from.empty() ? manifest : zerospof::testing::replace_once(manifest, from, to);
}

TEST(WorkloadReplicas, CorednsSpreadsAndReschedulesOnWorkerLoss) {
  const Report report = testing::analysed(model::Manifests{});
  const ServiceSummary& coredns = testing::summary(report, "deployment/kube-system/coredns");
  EXPECT_EQ(coredns.worst, Health::kDegraded);
  EXPECT_EQ(coredns.first_verdict.live, 2);
  EXPECT_EQ(coredns.first_verdict.live_after, 3);  // 4 workers: one left to reschedule onto
}

TEST(WorkloadReplicas, OneCorednsReplicaIsASinglePointOfFailure) {
  const Report report =
      testing::analysed(zerospof::testing::PlanBuilder().coredns_replicas(1).build());
  EXPECT_EQ(testing::summary(report, "deployment/kube-system/coredns").worst, Health::kDown);
  EXPECT_EQ(testing::first_failure(report, "deployment/kube-system/coredns"),
            "node cloudserver1 down: 0 of 1 replicas left; 1 after rescheduling");
  EXPECT_EQ(testing::criterion(report, "Services continue").result, Criterion::Result::kFail);
}

TEST(WorkloadReplicas, StatefulSetPodsOnADeadNodeStayLost) {
  const Report report = testing::analysed(testing::inline_manifests(kStatefulSet));
  const ServiceSummary& db = testing::summary(report, "statefulset/shop/db");
  EXPECT_EQ(db.worst, Health::kDegraded);
  EXPECT_EQ(db.first_verdict.reason, Reason::kStatefulSetStuck);
  EXPECT_EQ(db.first_verdict.live_after, 2);
  EXPECT_EQ(testing::criterion(report, "All services have proper health checks").result,
            Criterion::Result::kFail);
}

TEST(WorkloadReplicas, NoRequiredSpreadAssumesReplicasShareANode) {
  const Report report = testing::analysed(testing::inline_manifests(db_deployment(
      "requiredDuringSchedulingIgnoredDuringExecution:\n            - {labelSelector: "
      "{matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}",
      "preferredDuringSchedulingIgnoredDuringExecution: []")));
  const ServiceSummary& db = testing::summary(report, "deployment/shop/db");
  EXPECT_EQ(db.worst, Health::kDown);
  EXPECT_EQ(db.first_verdict.reason, Reason::kMayShareNode);
}

TEST(WorkloadCapacity, RequestsBeyondSurvivingCapacityAreNotRescheduled) {
  // 4 x 1.8 CPUs requested of the workers' 8, 6 after losing one.
  std::string manifest = db_deployment("containers: [{name: db}]",
                                       "containers: [{name: db, resources: {requests: {cpu: "
                                       "1800m}}}]");
  manifest = zerospof::testing::replace_once(manifest, "replicas: 3", "replicas: 4");
  const Report report = checked(manifest);
  const ServiceSummary& db = testing::summary(report, "deployment/shop/db");
  EXPECT_EQ(db.first_verdict.reason, Reason::kNoCapacity)
      << testing::first_failure(report, "deployment/shop/db");
}

}  // namespace
}  // namespace zerospof::analysis
