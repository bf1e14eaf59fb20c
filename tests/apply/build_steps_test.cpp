// build_steps: the graph a bundle turns into, its phases in order, and what check()/run() do
// against in-memory hosts.
#include "apply/build_steps.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "apply/apply.h"
#include "apply/steps.h"
#include "render/layout.h"
#include "render/unit.h"
#include "support/recording_transport.h"
#include "support/rooted_transport.h"
#include "support/test_plans.h"
#include "transport/local_transport.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::apply {
namespace {

const std::vector<std::string> kEtcdCommand{
    "/usr/local/bin/etcd", "--name=x", "--trusted-ca-file=/etc/zerospof/pki/etcd/ca.crt",
    "--cert-file=/etc/zerospof/pki/etcd/s.crt", "--key-file=/etc/zerospof/pki/etcd/s.key"};

class BuildStepsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = testing::load_plan(testing::addressed_plan());
    for (const auto* node : cluster_.nodes_with_role(model::Role::kEtcd)) {
      add_unit(node->name, "zerospof-etcd.service", kEtcdCommand);
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

  // A unit file as render makes it: its text, and its entry in the bundle's index.
  void add_unit(const std::string& host, const std::string& name, std::vector<std::string> command,
                std::vector<std::string> wants = {}) {
    render::Unit unit{
        .description = name, .command = std::move(command), .wants = std::move(wants)};
    bundle_.files.push_back({.host = host,
                             .path = render::layout::unit_path(name),
                             .content = render::unit_text(unit),
                             .unit = render::unit_entry(name, unit)});
    bundle_.index = render::index_of(bundle_.files);
  }

  StepGraph build(const std::string& kubectl = "/cache/kubectl") {
    ApplyInputs inputs{.cluster = cluster_,
                       .bundle = bundle_,
                       .binaries = binaries_,
                       .operator_dir = "/state/operator",
                       .kubectl = kubectl,
                       .wait = std::chrono::seconds(1)};
    auto graph = build_steps(inputs);
    EXPECT_TRUE(graph.has_value()) << graph.error().message;
    return graph ? std::move(*graph) : StepGraph{};
  }

  // What build_steps refuses the bundle with (a test failure when it accepts it).
  util::Error refusal() {
    ApplyInputs inputs{.cluster = cluster_, .bundle = bundle_, .binaries = binaries_};
    auto graph = build_steps(inputs);
    EXPECT_FALSE(graph.has_value());
    return graph ? util::Error{} : graph.error();
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

TEST_F(BuildStepsTest, AUnitWhoseProgramTheCacheLacksStopsApplyBeforeAnyStep) {
  // A real host's kubelet and containerd come from no lab build: said at once, with what to do.
  add_unit("blackboar", "zerospof-kubelet.service",
           {"/usr/local/bin/kubelet", "--config=/etc/zerospof/kubelet-config.yaml"});
  add_unit("blackboar", "zerospof-containerd.service", {"/usr/local/bin/containerd"});
  util::Error error = refusal();
  EXPECT_EQ(error.message,
            "blackboar starts containerd, kubelet from /usr/local/bin, which the binary cache "
            "does not hold");
  EXPECT_NE(error.hint.find("zerospof fetch PLAN"), std::string::npos);
}

// Without this order, the lab's import of images into containerd can run while apply restarts
// containerd under it, and fail (the likely cause of one failed fresh apply in CI).
TEST_F(BuildStepsTest, AHostsUnitsRestartAfterTheUnitsTheyStartAfterOnThatHost) {
  for (const std::string host : {"cloudserver3", "blackboar"}) {
    // etcd is another phase's (and not run on these hosts): named, but no concern of the order.
    add_unit(
        host, "zerospof-kubelet.service", {"/bin/true"},
        {"zerospof-containerd.service", "zerospof-lab-images.service", "zerospof-etcd.service"});
    add_unit(host, "zerospof-lab-images.service", {"/bin/true"}, {"zerospof-containerd.service"});
    add_unit(host, "zerospof-containerd.service", {"/bin/true"});
  }
  StepGraph graph = build();
  ASSERT_TRUE(graph.order().has_value());
  auto deps_of = [&](const std::string& id) {
    const Step* step = graph.find(id);
    EXPECT_NE(step, nullptr) << id;
    return step ? std::set<std::string>(step->deps.begin(), step->deps.end())
                : std::set<std::string>{};
  };
  for (const std::string host : {"cloudserver3", "blackboar"}) {
    auto images = deps_of("service/zerospof-lab-images.service@" + host);
    EXPECT_TRUE(images.count("service/zerospof-containerd.service@" + host)) << host;
    auto kubelet = deps_of("service/zerospof-kubelet.service@" + host);
    EXPECT_TRUE(kubelet.count("service/zerospof-containerd.service@" + host)) << host;
    EXPECT_TRUE(kubelet.count("service/zerospof-lab-images.service@" + host)) << host;
    EXPECT_FALSE(kubelet.count("service/zerospof-etcd.service@" + host)) << host;
  }
  // Still rolling: each unit after the same unit on the host before, never another host's
  // other units.
  auto containerd = deps_of("service/zerospof-containerd.service@blackboar");
  EXPECT_TRUE(containerd.count("service/zerospof-containerd.service@cloudserver3"));
  EXPECT_FALSE(containerd.count("service/zerospof-kubelet.service@cloudserver3"));
}

TEST_F(BuildStepsTest, UnitsThatStartAfterEachOtherInACycleAreRefusedByName) {
  add_unit("blackboar", "zerospof-kubelet.service", {"/bin/true"}, {"zerospof-containerd.service"});
  add_unit("blackboar", "zerospof-containerd.service", {"/bin/true"}, {"zerospof-kubelet.service"});
  util::Error error = refusal();
  EXPECT_EQ(error.message,
            "render's index for blackboar gives the units zerospof-kubelet.service, "
            "zerospof-containerd.service no start order: their `after` lists form a cycle");
  EXPECT_NE(error.hint.find("render the plan again"), std::string::npos);
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

// The binary step's real scripts, run against a directory standing in for the host.
TEST_F(BuildStepsTest, ABinaryIsVerifiedOnTheHostThenStampedAndAnyLaterChangeIsFound) {
  std::string root = ::testing::TempDir() + "binary-step-" + std::to_string(getpid());
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/cache");
  const std::string content = "#!/bin/sh\necho etcd\n";
  ASSERT_TRUE(util::write_file_atomic(root + "/cache/etcd", content, {.mode = 0755}));
  auto sha = util::run({"sh", "-c", "sha256sum " + root + "/cache/etcd | cut -c1-64"});
  ASSERT_TRUE(sha.has_value());
  binaries_[0].sha256 = sha->out.substr(0, 64);
  binaries_[0].local_path = root + "/cache/etcd";
  StepGraph graph = build();
  const Step* etcd =
      graph.find("binary/etcd@" + cluster_.nodes_with_role(model::Role::kEtcd)[0]->name);
  ASSERT_NE(etcd, nullptr);
  testing::RootedTransport host(root, {"/usr/local/bin", "/var/lib/zerospof"});
  std::filesystem::create_directories(root + "/usr/local/bin");
  const std::string installed = root + "/usr/local/bin/etcd";
  const std::string stamp = root + "/var/lib/zerospof/applied/binary-etcd";

  EXPECT_FALSE(etcd->check(host).value());  // nothing installed
  ASSERT_TRUE(etcd->run(host));
  EXPECT_EQ(util::read_file(installed).value_or(""), content);
  EXPECT_NE(util::read_file(stamp).value_or("").find(binaries_[0].sha256 + " "), std::string::npos);
  EXPECT_TRUE(etcd->check(host).value());

  // Changed in place, its modification time even set back: the stamp no longer matches, and
  // the run puts the pinned binary back.
  ASSERT_TRUE(util::run({"sh", "-c",
                         "touch -r " + installed + " " + root + "/mtime && echo >> " + installed +
                             " && touch -r " + root + "/mtime " + installed}));
  EXPECT_FALSE(etcd->check(host).value());
  ASSERT_TRUE(etcd->run(host));
  EXPECT_EQ(util::read_file(installed).value_or(""), content);
  EXPECT_TRUE(etcd->check(host).value());

  // The pinned binary without a stamp (installed by an older zerospof): stamped, not uploaded.
  std::filesystem::remove(stamp);
  auto inode = [&] {
    auto out = util::run({"stat", "-c", "%i", installed});
    return out ? out->out : "";
  };
  std::string before = inode();
  EXPECT_FALSE(etcd->check(host).value());
  ASSERT_TRUE(etcd->run(host));
  EXPECT_TRUE(etcd->check(host).value());
  EXPECT_EQ(inode(), before);  // an upload renames a new file into place
  std::filesystem::remove_all(root);
}

// verify/addons' real probe, against a kubectl that prints what a cluster would.
TEST_F(BuildStepsTest, AddonsAreVerifiedOnlyWhenEveryWorkloadKindIsFullyAvailable) {
  std::string dir = ::testing::TempDir() + "verify-addons-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string kubectl = dir + "/kubectl";
  auto answer = [&](const std::string& workloads, const std::string& daemonsets, int status) {
    std::string script = fmt::format(
        "#!/bin/sh\ncase \"$*\" in *daemonsets*) printf '{}' ;; *) printf '{}' ;; esac\n"
        "exit {}\n",
        daemonsets, workloads, status);
    ASSERT_TRUE(util::write_file_atomic(kubectl, script, {.mode = 0755, .overwrite = true}));
  };
  add_unit(cluster_.nodes_with_role(model::Role::kControlPlane)[0]->name,
           "zerospof-kube-apiserver.service", {"/usr/local/bin/kube-apiserver"});
  binaries_.push_back({"kube-apiserver", "v1.37.2", std::string(64, 'd'), "/cache/kube-apiserver"});
  add("", "/etc/zerospof/kubeconfig/admin.conf", "apiVersion: v1\n", 0600);
  add("", "/etc/zerospof/manifests/10-coredns.yaml", "kind: Deployment\n");
  StepGraph graph = build(kubectl);
  const Step* verify = graph.find("verify/addons");
  ASSERT_NE(verify, nullptr);
  transport::LocalTransport here;
  const std::string ready =
      "Deployment/kube-system/coredns 3 3\\nStatefulSet/monitoring/alertmanager 3 3\\n";
  answer(ready, "DaemonSet/kube-system/calico-node 5 5\\n", 0);
  EXPECT_TRUE(verify->check(here).value());
  answer(ready, "DaemonSet/kube-system/calico-node 5 4\\n", 0);
  EXPECT_FALSE(verify->check(here).value());
  answer("Deployment/ingress-nginx/ingress-nginx-controller 3 \\n", "", 0);  // none available
  EXPECT_FALSE(verify->check(here).value());
  answer(ready, "", 1);  // the API did not answer: never "nothing to wait for"
  EXPECT_FALSE(verify->check(here).value());
  // When the wait runs out, the error names what is still missing.
  answer("Deployment/ingress-nginx/ingress-nginx-controller 3 2\\n", "", 0);
  auto ran = verify->run(here);
  ASSERT_FALSE(ran);
  EXPECT_NE(ran.error().message.find(
                "Deployment/ingress-nginx/ingress-nginx-controller: 2 of 3 available"),
            std::string::npos)
      << ran.error().message;
  std::filesystem::remove_all(dir);
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

}  // namespace
}  // namespace zerospof::apply
