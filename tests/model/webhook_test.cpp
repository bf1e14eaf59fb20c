// model/webhook.h: how a webhook is named and what writes it guards, as reports print them.
#include "model/webhook.h"

#include <gtest/gtest.h>

namespace zerospof::model {
namespace {

TEST(Webhook, NamesItsKindConfigurationAndName) {
  AdmissionWebhook webhook;
  webhook.configuration = "ingress-nginx-admission";
  webhook.name = "validate.nginx.ingress.kubernetes.io";
  EXPECT_EQ(webhook.display_name(),
            "validatingwebhook/ingress-nginx-admission/validate.nginx.ingress.kubernetes.io");
  webhook.mutating = true;
  EXPECT_EQ(webhook.display_name().rfind("mutatingwebhook/", 0), 0u);
}

TEST(Webhook, SaysWhichWritesItGuards) {
  AdmissionWebhook webhook;
  EXPECT_EQ(webhook.matched_writes(), "no request");
  webhook.rules.push_back({{"CREATE", "UPDATE"}, {"networking.k8s.io"}, {"ingresses"}});
  webhook.rules.push_back({{"*"}, {""}, {"pods"}});
  EXPECT_EQ(webhook.matched_writes(), "CREATE, UPDATE of ingresses.networking.k8s.io; * of pods");
}

}  // namespace
}  // namespace zerospof::model
