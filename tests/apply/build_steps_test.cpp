// build_steps: the graph a bundle turns into, its phases in order, and what check()/run() do
// against in-memory hosts.
#include <gtest/gtest.h>

#include <algorithm>

#include "apply/apply.h"
#include "apply/steps.h"
#include "support/recording_transport.h"
#include "support/test_plans.h"

namespace zerospof::apply {
namespace {

const char* kEtcdUnit =
    "[Service]\nExecStart=/usr/local/bin/etcd --name=x \\\n"
    "  --trusted-ca-file=/etc/zerospof/pki/etcd/ca.crt --cert-file=/etc/zerospof/pki/etcd/s.crt "
    "\\\n  --key-file=/etc/zerospof/pki/etcd/s.key\n";

class BuildStepsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = testing::load_plan(testing::addressed_plan());
    for (const auto* node : cluster_.nodes_with_role(model::Role::kEtcd)) {
      add(node->name, "/etc/systemd/system/zerospof-etcd.service", kEtcdUnit);
      add(node->name, "/etc/zerospof/pki/etcd/s.key", "KEY", 0600);
    }
    binaries_ = {{"etcd", "v3.6.16", std::string(64, 'a'), "/cache/etcd"},
                 {"etcdctl", "v3.6.16", std::string(64, 'b'), "/cache/etcdctl"},
                 {"kwok", "v0.8.0", std::string(64, 'c'), "/cache/kwok"}};
  }

  void add(const std::string& host, const std::string& path, const std::string& content,
           unsigned mode = 0644) {
    bundle_.files.push_back({.host = host, .path = path, .mode = mode, .content = content});
  }

  StepGraph build() {
    ApplyInputs inputs{.cluster = cluster_,
                       .bundle = bundle_,
                       .binaries = binaries_,
                       .operator_dir = "/state/operator",
                       .kubectl = "/cache/kubectl"};
    auto graph = build_steps(inputs);
    EXPECT_TRUE(graph.has_value()) << graph.error().message;
    return graph ? std::move(*graph) : StepGraph{};
  }

  static std::vector<std::string> ids(const StepGraph& graph) {
    std::vector<std::string> found;
    for (const auto& step : graph.steps()) found.push_back(step.id);
    return found;
  }

  model::Cluster cluster_;
  render::Bundle bundle_;
  std::vector<Binary> binaries_;
};

TEST_F(BuildStepsTest, AnEtcdBundleGivesFilesBinariesRollingMembersAndAHealthCheck) {
  StepGraph graph = build();
  ASSERT_TRUE(graph.order().has_value());
  auto etcd_hosts = cluster_.nodes_with_role(model::Role::kEtcd);
  ASSERT_EQ(etcd_hosts.size(), 3u);
  const std::string first = etcd_hosts[0]->name, second = etcd_hosts[1]->name;
  for (const std::string& id :
       {"prepare@" + first, "pki@" + first, "config@" + first, "binary/etcd@" + first,
        "binary/etcdctl@" + first, "service/zerospof-etcd.service@" + first,
        std::string("etcd/healthy")}) {
    EXPECT_NE(graph.find(id), nullptr) << id;
  }
  EXPECT_EQ(graph.find("binary/kwok@" + first), nullptr);  // not mentioned by any file
  // Members start one after another, each after its own files and binaries.
  const Step* member = graph.find("service/zerospof-etcd.service@" + second);
  ASSERT_NE(member, nullptr);
  auto has = [&](const std::string& dep) {
    return std::find(member->deps.begin(), member->deps.end(), dep) != member->deps.end();
  };
  EXPECT_TRUE(has("service/zerospof-etcd.service@" + first));
  EXPECT_TRUE(has("binary/etcd@" + second));
  EXPECT_TRUE(has("pki@" + second));
  EXPECT_EQ(graph.find("etcd/healthy")->deps.size(), 3u);
}

TEST_F(BuildStepsTest, WithoutAnAdminKubeconfigThereAreNoApiChecks) {
  StepGraph graph = build();
  for (const auto& id : ids(graph)) EXPECT_EQ(id.find("verify/"), std::string::npos) << id;
}

TEST_F(BuildStepsTest, OperatorFilesGoBelowTheOperatorDirectory) {
  add("", "/etc/zerospof/admin.kubeconfig", "apiVersion: v1\n", 0600);
  StepGraph graph = build();
  const Step* files = graph.find("operator-files@");
  ASSERT_NE(files, nullptr);
  testing::RecordingTransport host;
  ASSERT_TRUE(files->run(host));
  EXPECT_EQ(host.calls_of("put"),
            std::vector<std::string>{": /state/operator/etc/zerospof/admin.kubeconfig"});
}

TEST_F(BuildStepsTest, ABinaryIsVerifiedOnTheHostBeforeItReplacesTheOldOne) {
  StepGraph graph = build();
  const std::string host = cluster_.nodes_with_role(model::Role::kEtcd)[0]->name;
  const Step* etcd = graph.find("binary/etcd@" + host);
  ASSERT_NE(etcd, nullptr);
  testing::RecordingTransport fake;
  fake.answer("sha256sum '/usr/local/bin/etcd'",
              {.exit_code = 0, .out = std::string(64, 'a') + "  x"});
  EXPECT_EQ(etcd->check(fake).value(), true);
  const Step* etcdctl = graph.find("binary/etcdctl@" + host);
  EXPECT_EQ(etcdctl->check(fake).value(), false);  // the default answer has no checksum
}

TEST_F(BuildStepsTest, AServiceIsDoneOnlyWhenActiveEnabledAndStartedFromTheSameInputs) {
  StepGraph graph = build();
  const std::string host = cluster_.nodes_with_role(model::Role::kEtcd)[0]->name;
  const Step* service = graph.find("service/zerospof-etcd.service@" + host);
  ASSERT_NE(service, nullptr);
  testing::RecordingTransport fake;
  ASSERT_TRUE(service->run(fake));
  auto runs = fake.calls_of("run");
  ASSERT_EQ(runs.size(), 1u);
  // Restarts quorum-aware, then records the inputs it started from.
  EXPECT_NE(runs[0].find("endpoint health"), std::string::npos) << runs[0];
  EXPECT_NE(runs[0].find("systemctl restart --no-block"), std::string::npos);
  EXPECT_NE(runs[0].find("/var/lib/zerospof/applied/zerospof-etcd.service"), std::string::npos);
  fake.clear_calls();
  ASSERT_TRUE(service->check(fake));
  EXPECT_NE(fake.calls_of("run")[0].find("systemctl is-active --quiet"), std::string::npos);
}

TEST(InputsDigestTest, ChangesWithAnyContentModeOrBinary) {
  std::vector<transport::FileSpec> files{{"/a", "x", 0644}};
  std::vector<Binary> binaries{{"etcd", "v1", std::string(64, 'a'), ""}};
  std::string base = inputs_digest(files, binaries);
  EXPECT_EQ(inputs_digest(files, binaries), base);
  EXPECT_NE(inputs_digest({{"/a", "y", 0644}}, binaries), base);
  EXPECT_NE(inputs_digest({{"/a", "x", 0600}}, binaries), base);
  EXPECT_NE(inputs_digest(files, {{"etcd", "v1", std::string(64, 'b'), ""}}), base);
}

TEST(FlagValueTest, ReadsEqualsSpaceAndYamlForms) {
  EXPECT_EQ(flag_value("a --cert-file=/x.crt \\\n", "cert-file"), "/x.crt");
  EXPECT_EQ(flag_value("--cert-file /y.crt\n", "cert-file"), "/y.crt");
  EXPECT_EQ(flag_value("cert-file: /z.crt\n", "cert-file"), "/z.crt");
  EXPECT_EQ(flag_value("--other=1", "cert-file"), "");
}

}  // namespace
}  // namespace zerospof::apply
