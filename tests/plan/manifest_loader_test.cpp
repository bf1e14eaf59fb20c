#include <gtest/gtest.h>

#include "plan/plan.h"
#include "support/test_plans.h"

namespace zerospof::plan {
namespace {

const model::Workload* find(const model::Manifests& manifests, const std::string& name) {
  for (const model::Workload& workload : manifests.workloads)
    if (workload.name == name) return &workload;
  return nullptr;
}

TEST(ManifestLoaderTest, EveryUpstreamManifestLoads) {
  auto manifests = load_manifests({testing::shared_path("upstream")});
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  int inert = 0;  // CRDs, RBAC, ConfigMaps...
  for (const auto& kind : manifests->unmodelled) inert += kind.inert ? kind.count : 0;
  EXPECT_GT(inert, 50);
  const model::Workload* ingress = find(*manifests, "ingress-nginx-controller");
  ASSERT_NE(ingress, nullptr);
  EXPECT_EQ(ingress->replicas, 1);
  EXPECT_TRUE(ingress->replicas_defaulted);
  EXPECT_EQ(ingress->service_class, model::ServiceClass::kDataPath);  // a Service selects it
  EXPECT_TRUE(ingress->has_readiness_probe);
  const model::Workload* controllers = find(*manifests, "calico-kube-controllers");
  ASSERT_NE(controllers, nullptr);
  EXPECT_EQ(controllers->service_class, model::ServiceClass::kController);
  const model::Workload* node = find(*manifests, "calico-node");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->kind, model::WorkloadKind::kDaemonSet);
  EXPECT_GE(manifests->budgets.size(), 1u);
}

TEST(ManifestLoaderTest, CorednsUpstreamRequiresHostnameSpreadThroughMatchExpressions) {
  auto manifests = load_manifests({testing::shared_path("upstream/coredns.yaml.sed")});
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  const model::Workload* coredns = find(*manifests, "coredns");
  ASSERT_NE(coredns, nullptr);
  EXPECT_EQ(coredns->spread.required_key, model::SpreadKey::kHostname);
  EXPECT_TRUE(coredns->replicas_defaulted);  // "replicas: not specified here"
  EXPECT_EQ(coredns->memory_request_bytes, 70LL << 20);
}

TEST(ManifestLoaderTest, RequiredAntiAffinityOnOwnLabelsSpreads) {
  auto manifests = load_manifests_from_string(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
      containers:
        - name: web
          resources: {requests: {cpu: 500m, memory: 1Gi}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec:
  maxUnavailable: 50%
  selector: {matchLabels: {app: web}}
)",
                                              "web.yaml");
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  ASSERT_EQ(manifests->workloads.size(), 1u);
  const model::Workload& web = manifests->workloads[0];
  EXPECT_EQ(web.spread.required_key, model::SpreadKey::kHostname);
  EXPECT_EQ(web.cpu_request_millicores, 500);
  EXPECT_EQ(web.memory_request_bytes, 1LL << 30);
  EXPECT_EQ(web.where.line, 2);
  ASSERT_EQ(manifests->budgets.size(), 1u);
  EXPECT_EQ(manifests->budgets[0].allowed_disruptions(3), 2);
}

TEST(ManifestLoaderTest, WrongTypeIsAnErrorWithItsPosition) {
  auto manifests = load_manifests_from_string(
      "kind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: many\n", "bad.yaml");
  ASSERT_FALSE(manifests);
  EXPECT_EQ(manifests.error().where.line, 4);
  EXPECT_EQ(manifests.error().where.column, 13);
}

TEST(ManifestLoaderTest, EachWorkloadGetsThePriorityOfItsClass) {
  // Given a PriorityClass "high", a global default "normal", and workloads naming "high", a
  // built-in class, none, and a class that is not among the objects.
  auto manifests = load_manifests_from_string(R"(apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000
preemptionPolicy: Never
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: normal}
value: -5
globalDefault: true
---
kind: Deployment
metadata: {name: a}
spec: {template: {spec: {priorityClassName: high, containers: [{name: a}]}}}
---
kind: Deployment
metadata: {name: b}
spec: {template: {spec: {priorityClassName: system-node-critical, containers: [{name: b}]}}}
---
kind: Deployment
metadata: {name: c}
spec: {template: {spec: {containers: [{name: c}]}}}
---
kind: Deployment
metadata: {name: d}
spec: {template: {spec: {priorityClassName: elsewhere, containers: [{name: d}]}}}
)",
                                              "priorities.yaml");
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  ASSERT_EQ(manifests->priority_classes.size(), 2u);
  EXPECT_FALSE(manifests->priority_classes[0].preempts);
  ASSERT_EQ(manifests->workloads.size(), 4u);
  EXPECT_EQ(manifests->workloads[0].priority, 1000000);
  EXPECT_EQ(manifests->workloads[1].priority, 2000001000);
  EXPECT_EQ(manifests->workloads[2].priority, -5);
  EXPECT_TRUE(manifests->workloads[2].priority_known);
  EXPECT_EQ(manifests->workloads[3].priority, 0);
  EXPECT_FALSE(manifests->workloads[3].priority_known);
  // The class's preemptionPolicy goes with its value; built-in, default and unknown preempt.
  EXPECT_FALSE(manifests->workloads[0].preempts);
  for (std::size_t i = 1; i < 4; ++i) EXPECT_TRUE(manifests->workloads[i].preempts) << i;
}

TEST(ManifestLoaderTest, APriorityClassValueMustBeA32BitInteger) {
  auto manifests = load_manifests_from_string(
      "kind: PriorityClass\nmetadata: {name: x}\nvalue: 99999999999\n", "bad.yaml");
  ASSERT_FALSE(manifests);
  EXPECT_EQ(manifests.error().where.line, 3);
  EXPECT_EQ(manifests.error().where.column, 8);
  auto missing =
      load_manifests_from_string("kind: PriorityClass\nmetadata: {name: x}\n", "bad.yaml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("needs a value"), std::string::npos);
}

TEST(ManifestLoaderTest, MissingPathIsInvalidInput) {
  auto manifests = load_manifests({"/nonexistent/manifests"});
  ASSERT_FALSE(manifests);
  EXPECT_EQ(util::exit_code_for(manifests.error()), 2);
}

TEST(ManifestLoaderTest, UpstreamIngressNginxWebhookFailsClosedOnItsAdmissionService) {
  auto manifests = load_manifests({testing::shared_path("upstream/ingress-nginx-baremetal.yaml")});
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  ASSERT_EQ(manifests->webhooks.size(), 1u);
  const model::AdmissionWebhook& webhook = manifests->webhooks[0];
  EXPECT_TRUE(webhook.fails_closed);
  EXPECT_EQ(webhook.service_namespace, "ingress-nginx");
  EXPECT_EQ(webhook.service_name, "ingress-nginx-controller-admission");
  EXPECT_EQ(webhook.matched_writes(), "CREATE, UPDATE of ingresses.networking.k8s.io");
}

TEST(ManifestLoaderTest, UnknownFailurePolicyPointsAtIt) {
  auto manifests = load_manifests_from_string(R"(apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: guard}
webhooks:
  - name: guard.example.com
    failurePolicy: Sometimes
)",
                                              "hooks.yaml");
  ASSERT_FALSE(manifests);
  EXPECT_NE(util::format_error(manifests.error()).find("hooks.yaml:6:20"), std::string::npos)
      << util::format_error(manifests.error());
}

TEST(ManifestLoaderTest, MetallbAndCalicoAnnouncementsAreReadAndABadSelectorListPointsAtIt) {
  auto manifests = load_manifests_from_string(R"(apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: metallb-system}
spec:
  ipAddressPools: [office, lab]
  nodeSelectors:
    - matchLabels: {kubernetes.io/hostname: a}
    - matchExpressions: [{key: zone, operator: In, values: [x]}]
---
apiVersion: crd.projectcalico.org/v1
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 198.18.0.1, node: a}
)",
                                              "lb.yaml");
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  ASSERT_EQ(manifests->announcements.size(), 2u);
  const model::Announcement& lan = manifests->announcements[0];
  EXPECT_EQ(lan.kind, model::Announcement::Kind::kL2Advertisement);
  EXPECT_EQ(lan.pools, (std::vector<std::string>{"office", "lab"}));
  ASSERT_EQ(lan.node_selectors.size(), 2u);
  EXPECT_EQ(lan.node_selectors[1].match_expressions.size(), 1u);
  EXPECT_EQ(manifests->announcements[1].kind, model::Announcement::Kind::kCalicoBgpPeer);
  EXPECT_EQ(manifests->announcements[1].node, "a");
  EXPECT_TRUE(manifests->unmodelled.empty());

  auto bad = load_manifests_from_string(R"(apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: adv}
spec:
  nodeSelectors: {matchLabels: {a: b}}
)",
                                        "adv.yaml");
  ASSERT_FALSE(bad);
  EXPECT_NE(util::format_error(bad.error()).find("adv.yaml:5:18"), std::string::npos)
      << util::format_error(bad.error());
}

// Probes are judged on the containers that serve: longhorn-manager's image-pulling sidecar,
// which only sleeps, needs none; a pod whose containers declare no port is judged on all.
TEST(ManifestLoaderTest, ProbesAreJudgedOnTheContainersThatDeclareAPort) {
  const std::string probes =
      "readinessProbe: {tcpSocket: {port: 80}}, livenessProbe: "
      "{tcpSocket: {port: 80}}";
  auto with_sidecar = load_manifests_from_string(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
      "    spec:\n      containers:\n        - {name: web, ports: [{containerPort: 80}], " +
          probes + "}\n        - {name: pull, command: [sleep, infinity]}\n",
      "web.yaml");
  ASSERT_TRUE(with_sidecar) << util::format_error(with_sidecar.error());
  EXPECT_TRUE(with_sidecar->workloads[0].has_readiness_probe);
  EXPECT_TRUE(with_sidecar->workloads[0].has_liveness_probe);
  auto no_ports = load_manifests_from_string(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: batch}\nspec:\n  template:\n"
      "    spec:\n      containers:\n        - {name: work, " +
          probes + "}\n        - {name: helper}\n",
      "batch.yaml");
  ASSERT_TRUE(no_ports) << util::format_error(no_ports.error());
  EXPECT_FALSE(no_ports->workloads[0].has_readiness_probe);
  EXPECT_FALSE(no_ports->workloads[0].has_liveness_probe);
}

TEST(ManifestLoaderTest, LocalVolumesClaimsAndClassesAreRead) {
  auto manifests = load_manifests_from_string(R"(apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  local: {path: /mnt/a}
  claimRef: {namespace: shop, name: data}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n1]}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
)",
                                              "volumes.yaml");
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  ASSERT_EQ(manifests->volumes.size(), 1u);
  EXPECT_TRUE(manifests->volumes[0].local);
  EXPECT_EQ(manifests->volumes[0].nodes, std::vector<std::string>{"n1"});
  EXPECT_EQ(manifests->volumes[0].claim_name, "data");
  ASSERT_EQ(manifests->storage_classes.size(), 1u);
  EXPECT_TRUE(manifests->storage_classes[0].is_default);
  EXPECT_TRUE(manifests->storage_classes[0].node_local());
}

// `kubectl get -A -o yaml` gives one List; every kind not modelled is counted by kind and
// apiVersion with where the first one is, and configuration kinds are told apart as inert.
TEST(ManifestLoaderTest, AListIsReadWholeAndEveryKindNotModelledIsNamedWithItsPosition) {
  auto manifests = load_manifests_from_string(zerospof::testing::kClusterList, "cluster.yaml");
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  ASSERT_EQ(manifests->workloads.size(), 1u);
  ASSERT_EQ(manifests->unmodelled.size(), 3u);
  const model::UnmodelledKind& ingress = manifests->unmodelled[0];
  EXPECT_EQ(ingress.kind, "Ingress");
  EXPECT_EQ(ingress.api_version, "networking.k8s.io/v1");
  EXPECT_EQ(ingress.count, 2);
  EXPECT_EQ(ingress.first.to_string(), "cluster.yaml:13:3");
  EXPECT_FALSE(ingress.inert);
  EXPECT_EQ(manifests->unmodelled[1].kind, "Secret");
  EXPECT_TRUE(manifests->unmodelled[1].inert);
  EXPECT_EQ(manifests->unmodelled[2].kind, "Certificate");
  EXPECT_EQ(manifests->unmodelled[2].api_version, "cert-manager.io/v1");
  EXPECT_FALSE(manifests->unmodelled[2].inert);
}

}  // namespace
}  // namespace zerospof::plan
