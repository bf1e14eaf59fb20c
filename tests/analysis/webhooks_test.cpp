// Admission webhooks as dependencies of the API (src/analysis/webhooks.cpp).
#include "analysis/webhooks.h"

#include "analysis/analysed.h"
#include "util/terminal.h"

namespace zerospof::analysis {
namespace {

using testing::analysed;
using testing::inline_manifests;
using testing::summary_of;

constexpr const char* kWebhookName =
    "validatingwebhook/ingress-nginx-admission/validate.nginx.ingress.kubernetes.io";

// A webhook, the Service it calls and the Deployment behind it; `spread` and `policy` vary.
std::string webhook_manifests(const std::string& replicas, const std::string& affinity,
                              const std::string& policy) {
  return R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: policy, namespace: guard}
spec:
  replicas: )" +
         replicas + R"(
  template:
    metadata: {labels: {app: policy}}
    spec:
)" + affinity +
         R"(
      containers: [{name: policy}]
---
apiVersion: v1
kind: Service
metadata: {name: policy, namespace: guard}
spec:
  selector: {app: policy}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard}
webhooks:
  - name: pods.guard.example.com
)" + policy +
         R"(
    clientConfig: {service: {name: policy, namespace: guard}}
    rules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
)";
}

constexpr const char* kRequiredAntiAffinity = R"(      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: policy}}
              topologyKey: kubernetes.io/hostname)";

TEST(WebhooksTest, IngressNginxAdmissionBlocksIngressWritesWhenItsOnlyPodsNodeFails) {
  // Given the upstream bare-metal ingress-nginx, whose controller (1 replica) serves the webhook,
  // one node failure must block every Ingress write until the pod is rescheduled.
  Report report = analysed(testing::upstream("ingress-nginx-baremetal.yaml"));
  const ServiceSummary* webhook = summary_of(report, kWebhookName);
  ASSERT_NE(webhook, nullptr);
  EXPECT_EQ(webhook->worst, Health::kDown);
  EXPECT_EQ(webhook->scenario.failure_count, 1);
  EXPECT_NE(report.reason_text(webhook->first_verdict)
                .find("the API rejects CREATE, UPDATE of ingresses.networking.k8s.io"),
            std::string::npos)
      << report.reason_text(webhook->first_verdict);
  EXPECT_NE(format_json(report).find(kWebhookName), std::string::npos);
}

// MetalLB's release manifest (v0.14.9, unmodified): its webhooks fail closed and are served by
// the one-replica controller, so one node failure blocks every write of MetalLB's own objects
// (address pools, advertisements, peers) until the controller is rescheduled.
TEST(WebhooksTest, MetallbsWebhooksBlockItsObjectsWhenItsControllersNodeFails) {
  auto manifests = plan::load_manifests(
      {ZEROSPOF_SOURCE_DIR "/tests/analysis/testdata/metallb/metallb-native.yaml"});
  ASSERT_TRUE(manifests) << util::format_error(manifests.error());
  const Report report = analysed(*manifests);
  const std::string name =
      "validatingwebhook/metallb-webhook-configuration/ipaddresspoolvalidationwebhook.metallb.io";
  const ServiceSummary* webhook = summary_of(report, name);
  ASSERT_NE(webhook, nullptr);
  EXPECT_EQ(webhook->worst, Health::kDown);
  EXPECT_EQ(webhook->scenario.failure_count, 1);
  EXPECT_NE(report.reason_text(webhook->first_verdict)
                .find("the API rejects CREATE, UPDATE of ipaddresspools.metallb.io"),
            std::string::npos)
      << report.reason_text(webhook->first_verdict);
}

TEST(WebhooksTest, DefaultFailurePolicyBehindOneReplicaIsDown) {
  Report report = analysed(inline_manifests(webhook_manifests("1", "", "")));
  const ServiceSummary* webhook =
      summary_of(report, "validatingwebhook/guard/pods.guard.example.com");
  ASSERT_NE(webhook, nullptr);
  EXPECT_EQ(webhook->worst, Health::kDown);
  EXPECT_NE(report.reason_text(webhook->first_verdict).find("CREATE of pods"), std::string::npos);
}

TEST(WebhooksTest, SpreadReplicasOnlyDegradeIt) {
  Report report = analysed(inline_manifests(webhook_manifests("3", kRequiredAntiAffinity, "")));
  const ServiceSummary* webhook =
      summary_of(report, "validatingwebhook/guard/pods.guard.example.com");
  ASSERT_NE(webhook, nullptr);
  EXPECT_EQ(webhook->worst, Health::kDegraded);
  EXPECT_FALSE(report.any_down()) << format_text(report, util::Style(false), false);
}

TEST(WebhooksTest, FailingOpenIsNotADependency) {
  Report report =
      analysed(inline_manifests(webhook_manifests("1", "", "    failurePolicy: Ignore")));
  EXPECT_EQ(summary_of(report, "validatingwebhook/guard/pods.guard.example.com"), nullptr);
}

TEST(WebhooksTest, ServiceOutsideTheManifestsIsNotedNotGuessed) {
  std::string manifests = webhook_manifests("1", "", "");
  manifests = manifests.substr(manifests.find("apiVersion: admissionregistration"));
  Report report = analysed(inline_manifests(manifests));
  EXPECT_EQ(summary_of(report, "validatingwebhook/guard/pods.guard.example.com"), nullptr);
  bool noted = false;
  for (const std::string& note : report.notes)
    noted = noted || note.find("which is not in the given manifests") != std::string::npos;
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace zerospof::analysis
