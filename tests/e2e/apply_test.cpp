// End-to-end tests of `zerospof apply` on the lab: real Debian hosts (systemd-nspawn), real
// OpenSSH with pinned host keys, the real pinned binaries from the local cache, the bundle
// `zerospof render` writes. Each test brings a lab up in its own state directory and, whatever
// happens, takes it down and checks that nothing is left. Needs root and the binary cache
// (lab/binaries/build.sh); skipped otherwise.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lab/lab.h"
#include "model/pinned_versions.h"
#include "support/key_material.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof {
namespace {

using std::chrono::seconds;
namespace fs = std::filesystem;

const std::string kBinaries =
    "/var/cache/zerospof/binaries/" + std::string(model::pinned::kKubernetesVersion);
const std::vector<std::string> kEtcdHosts{"micklethefickle", "cloudserver1", "cloudserver2"};
const std::string kEtcdPki = "/etc/zerospof/pki/etcd";

std::set<std::string> ssh_control_dirs() {
  std::set<std::string> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), error)) {
    if (entry.path().filename().string().rfind("zerospof-ssh-", 0) == 0) {
      found.insert(entry.path().string());
    }
  }
  return found;
}

// The rendered etcd member files only.
bool etcd_only(const std::string& host, const std::string& path) {
  return host != "operator" && (path.rfind(kEtcdPki + "/", 0) == 0 ||
                                path == "/etc/systemd/system/zerospof-etcd.service");
}

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the apply end-to-end tests need root (the lab)";
    if (!fs::exists(kBinaries + "/manifest")) GTEST_SKIP() << "no binary cache at " << kBinaries;
    dir_ = fmt::format("/var/lib/zerospof/apply-e2e-{}", getpid());
    paths_.state_dir = dir_ + "/lab";
    control_dirs_before_ = ssh_control_dirs();
    lab({"down"}, seconds(60));  // a lab left by an earlier, interrupted run
    std::vector<std::string> up_arguments{"up"};
    if (std::string plan = user_plan(); !plan.empty())
      up_arguments.insert(up_arguments.end(), {"--plan", plan});
    auto up = lab(up_arguments, seconds(1800));
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  }

  // The plan the lab is made from; "" for the built-in one.
  virtual std::string user_plan() { return ""; }

  void TearDown() override {
    if (dir_.empty()) return;
    auto down = lab({"down"}, seconds(120));
    EXPECT_EQ(down.exit_code, 0) << down.err;
    EXPECT_EQ(lab::leftovers(paths_), std::vector<std::string>{});
    // An apply killed on purpose cannot close its ssh masters; they end with the hosts.
    for (const auto& control : ssh_control_dirs()) {
      if (control_dirs_before_.count(control) == 0) fs::remove_all(control);
    }
    fs::remove_all(dir_);
  }

  util::ProcessResult run(std::vector<std::string> argv, seconds timeout) {
    auto result = util::run(argv, {.timeout = timeout});
    EXPECT_TRUE(result.has_value());
    return result.value_or(util::ProcessResult{});
  }

  util::ProcessResult lab(std::vector<std::string> arguments, seconds timeout = seconds(60)) {
    std::vector<std::string> argv{ZEROSPOF_BINARY, "lab", arguments.front(), "--state-dir",
                                  paths_.state_dir.string()};
    argv.insert(argv.end(), arguments.begin() + 1, arguments.end());
    return run(argv, timeout);
  }

  util::ProcessResult ssh(const std::string& host, const std::string& command) {
    return lab({"ssh", host, "--", command}, seconds(60));
  }

  std::string plan() const { return paths_.state_dir.string() + "/lab.yaml"; }

  std::vector<std::string> apply_argv(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv{ZEROSPOF_BINARY,  "apply",      plan(),    "--render-dir",
                                  dir_ + "/render", "--binaries", kBinaries, "--state-dir",
                                  dir_ + "/state",  "--lab",      "--wait",  "120"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // Whatever the test checks, apply's output never holds key material (issue 11, item 10).
  util::ProcessResult apply(const std::vector<std::string>& extra = {}) {
    auto result = run(apply_argv(extra), seconds(900));
    EXPECT_EQ(testing::key_material(result.out + result.err), std::vector<std::string>{});
    return result;
  }

  // `zerospof render` of the lab plan, then only the files `keep` accepts.
  void render(const std::function<bool(const std::string& host, const std::string& path)>& keep) {
    auto rendered = run({ZEROSPOF_BINARY, "render", plan(), "--lab", "-o", dir_ + "/render",
                         "--pki-dir", dir_ + "/pki"},
                        seconds(120));
    ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
    EXPECT_EQ(testing::key_material(rendered.out + rendered.err), std::vector<std::string>{});
    std::vector<fs::path> dropped;
    for (const auto& entry : fs::recursive_directory_iterator(dir_ + "/render")) {
      if (!entry.is_regular_file()) continue;
      fs::path relative = fs::relative(entry.path(), dir_ + "/render");
      if (std::distance(relative.begin(), relative.end()) < 2) continue;
      std::string host = relative.begin()->string();
      std::string path = "/" + fs::relative(relative, *relative.begin()).string();
      if (!keep(host, path)) dropped.push_back(entry.path());
    }
    for (const auto& path : dropped) fs::remove(path);
  }

  std::string etcdctl(const std::string& arguments, bool with_certificate = true) {
    std::string credentials = fmt::format("--cacert={}/ca.crt", kEtcdPki);
    if (with_certificate) {
      credentials +=
          " --cert=/etc/zerospof/pki/apiserver-etcd-client.crt "
          "--key=/etc/zerospof/pki/apiserver-etcd-client.key";
    }
    return fmt::format(
        "etcdctl --dial-timeout=3s --command-timeout=5s "
        "--endpoints=https://198.18.0.10:2379,https://198.18.0.11:2379,https://198.18.0.12:2379 "
        "{} {}",
        credentials, arguments);
  }

  void expect_etcd_healthy_over_mtls() {
    // member list: ID, status, name, peer URLs, client URLs, is learner.
    auto members = ssh("cloudserver1", etcdctl("member list"));
    ASSERT_EQ(members.exit_code, 0) << members.err;
    for (const auto& host : kEtcdHosts) {
      EXPECT_NE(members.out.find(fmt::format(", started, {}, https://", host)), std::string::npos)
          << members.out;
    }
    EXPECT_EQ(std::count(members.out.begin(), members.out.end(), '\n'), 3) << members.out;
    EXPECT_EQ(members.out.find(", true"), std::string::npos) << "a learner: " << members.out;
    auto health = ssh("cloudserver1", etcdctl("endpoint health"));
    EXPECT_EQ(health.exit_code, 0) << health.out << health.err;
    // A client with the right CA but no certificate of its own is refused by every member.
    auto anonymous = ssh("cloudserver1", etcdctl("get /probe", false));
    EXPECT_NE(anonymous.exit_code, 0);
    // The TLS handshake is rejected: "certificate required", or the member closing the
    // connection under the client ("broken pipe", "connection reset by peer"), depending on
    // who notices first.
    bool refused = anonymous.err.find("certificate required") != std::string::npos ||
                   anonymous.err.find("broken pipe") != std::string::npos ||
                   anonymous.err.find("connection reset by peer") != std::string::npos ||
                   anonymous.err.find("bad certificate") != std::string::npos;
    EXPECT_TRUE(refused) << anonymous.err;
    EXPECT_EQ(anonymous.out, "");
  }

  // Starts an apply and kills it with -9 (its process group: the apply and the ssh commands it
  // runs) once `steps` steps changed something and others have not run yet.
  void kill_apply_after(std::size_t steps) {
    std::string journal = dir_ + "/state/journal";
    auto pid = util::spawn_detached(apply_argv(), {.log_path = dir_ + "/killed-apply.log"});
    ASSERT_TRUE(pid.has_value());
    for (int i = 0; i < 1200; ++i) {  // bounded: at most 120 s
      std::string text = util::read_file(journal).value_or("");
      std::size_t changed = 0;
      for (std::size_t at = text.find(" changed "); at != std::string::npos;
           at = text.find(" changed ", at + 1)) {
        ++changed;
      }
      if (changed >= steps || !util::process_alive(*pid)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(util::process_alive(*pid)) << "apply finished before it could be killed";
    kill(-*pid, SIGKILL);
    for (int i = 0; i < 100 && util::process_alive(*pid); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto killed = util::read_file(journal).value_or("");
    EXPECT_EQ(killed.find("apply finished"), std::string::npos) << killed;
  }

  std::string dir_;
  lab::LabPaths paths_;
  std::set<std::string> control_dirs_before_;
};

// The rendered etcd files only: members over mTLS need the apiserver's etcd client certificate
// for the checks below, so it is kept too.
bool etcd_and_client(const std::string& host, const std::string& path) {
  return etcd_only(host, path) ||
         (host != "operator" && path.rfind("/etc/zerospof/pki/apiserver-etcd-client.", 0) == 0);
}

TEST_F(ApplyTest, DryRunOnFreshHostsChangesNothingAndShowsWhatWould) {
  render(etcd_and_client);
  auto dry = apply({"--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would write micklethefickle:/etc/systemd/system/zerospof-etcd.service"),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(dry.out.find("PRIVATE KEY"), std::string::npos);  // contents are never shown
  auto absent = ssh("micklethefickle", "test -e /usr/local/bin/etcd || echo absent");
  EXPECT_EQ(absent.out, "absent\n");
}

TEST_F(ApplyTest, FreshHostsGetAThreeMemberEtcdOverMtlsAndASecondApplyChangesNothing) {
  render(etcd_and_client);
  auto start = std::chrono::steady_clock::now();
  auto first = apply();
  double first_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  expect_etcd_healthy_over_mtls();
  // Binaries arrived whole and verified: the host's own checksum matches the manifest.
  auto manifest = util::read_file(kBinaries + "/manifest").value_or("");
  auto sum = ssh("cloudserver2", "sha256sum /usr/local/bin/etcd | cut -d' ' -f1");
  EXPECT_NE(manifest.find(sum.out.substr(0, 64)), std::string::npos);

  start = std::chrono::steady_clock::now();
  auto second = apply();
  double second_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("apply: nothing to change"), std::string::npos) << second.out;
  EXPECT_LT(second_seconds, 10.0);
  RecordProperty("first_apply_seconds", std::to_string(first_seconds));
  RecordProperty("noop_apply_seconds", std::to_string(second_seconds));
  auto journal = util::read_file(dir_ + "/state/journal").value_or("");
  EXPECT_NE(journal.find("changed service/zerospof-etcd.service@cloudserver1"), std::string::npos);
  EXPECT_NE(journal.find("unchanged etcd/healthy"), std::string::npos);

  // A binary changed behind apply's back, its modification time even set back, is found (the
  // no-op check compares a stamp of the verified file, not its hash) and installed again.
  auto tampered = ssh("cloudserver2",
                      "f=/usr/local/bin/etcdctl; touch -r $f /tmp/mtime && echo >> $f && "
                      "touch -r /tmp/mtime $f");
  ASSERT_EQ(tampered.exit_code, 0) << tampered.err;
  auto repaired = apply();
  EXPECT_EQ(repaired.exit_code, 0) << repaired.err;
  journal = util::read_file(dir_ + "/state/journal").value_or("");
  EXPECT_NE(journal.find("changed binary/etcdctl@cloudserver2"), std::string::npos) << journal;
  sum = ssh("cloudserver2", "sha256sum /usr/local/bin/etcdctl | cut -d' ' -f1");
  EXPECT_NE(manifest.find("etcdctl\t"), std::string::npos);
  EXPECT_NE(manifest.find(sum.out.substr(0, 64)), std::string::npos) << sum.out;
}

TEST_F(ApplyTest, AnApplyKilledMidwayConvergesWhenRunAgain) {
  render(etcd_and_client);
  kill_apply_after(6);
  auto rerun = apply();
  ASSERT_EQ(rerun.exit_code, 0) << rerun.out << rerun.err;
  expect_etcd_healthy_over_mtls();
  auto again = apply();
  EXPECT_NE(again.out.find("apply: nothing to change"), std::string::npos) << again.out;
}

// The whole bundle `zerospof render --lab` writes: firewall, etcd, control plane, endpoint,
// kwok node agents, every addon manifest.
bool everything(const std::string& /*host*/, const std::string& /*path*/) { return true; }

const std::vector<std::string> kAllHosts{"micklethefickle", "cloudserver1", "cloudserver2",
                                         "cloudserver3", "blackboar"};

class WholeClusterTest : public ApplyTest {
 protected:
  std::string kubectl() const {
    return fmt::format(
        "{}/kubectl --kubeconfig={}/state/operator/etc/zerospof/kubeconfig/admin.conf "
        "--request-timeout=10s",
        kBinaries, dir_);
  }

  util::ProcessResult kubectl(const std::string& arguments) {
    return run({"sh", "-c", kubectl() + " " + arguments}, seconds(30));
  }

  // Polls `arguments` until its output is `expected` (bounded: about `limit` seconds).
  bool eventually_prints(const std::string& arguments, const std::string& expected, int limit) {
    auto deadline = std::chrono::steady_clock::now() + seconds(limit);
    while (std::chrono::steady_clock::now() < deadline) {
      if (kubectl(arguments).out == expected) return true;
      std::this_thread::sleep_for(seconds(1));
    }
    return false;
  }

  // "NAME=True NAME=False ..." in name order: each node's Ready condition.
  static constexpr const char* kNodesReady =
      "get nodes -o jsonpath='{range .items[*]}{.metadata.name}="
      "{.status.conditions[?(@.type==\"Ready\")].status} {end}'";

  std::string ready_nodes() { return kubectl(kNodesReady).out; }

  static std::string all_ready() {
    std::vector<std::string> names = kAllHosts;
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& name : names) out += name + "=True ";
    return out;
  }

  // `replicas` Running pods of `selector`, each on a node of its own, and the budget in place.
  void expect_spread_with_budget(const std::string& namespace_name, const std::string& selector,
                                 int replicas, const std::string& budget) {
    auto pods = kubectl(
        fmt::format("-n {} get pods -l {} -o jsonpath='{{range .items[*]}}{{.spec.nodeName}} "
                    "{{.status.phase}}{{\"\\n\"}}{{end}}'",
                    namespace_name, selector));
    std::set<std::string> nodes;
    int running = 0;
    std::istringstream lines(pods.out);
    for (std::string node, phase; lines >> node >> phase;) {
      running += phase == "Running" ? 1 : 0;
      nodes.insert(node);
    }
    EXPECT_EQ(running, replicas) << namespace_name << " " << selector << ":\n" << pods.out;
    EXPECT_EQ(static_cast<int>(nodes.size()), replicas) << "not on distinct nodes:\n" << pods.out;
    auto pdb = kubectl(fmt::format(
        "-n {} get pdb {} -o jsonpath='{{.spec.maxUnavailable}} {{.status.expectedPods}}'",
        namespace_name, budget));
    EXPECT_EQ(pdb.out, fmt::format("1 {}", replicas)) << budget << ": " << pdb.err;
  }

  // In vip mode HAProxy and keepalived run on the control-plane hosts; with a local proxy,
  // HAProxy runs on every host and keepalived nowhere.
  void expect_whole_cluster(bool local_proxy) {
    EXPECT_TRUE(eventually_prints(kNodesReady, all_ready(), 60)) << ready_nodes();
    expect_etcd_healthy_over_mtls();
    EXPECT_EQ(kubectl("get --raw /readyz").out, "ok");
    auto leases = kubectl(
        "-n kube-system get lease kube-scheduler kube-controller-manager "
        "-o jsonpath='{.items[*].spec.holderIdentity}'");
    EXPECT_EQ(std::count(leases.out.begin(), leases.out.end(), '_'), 2) << leases.out;
    for (const auto& host : kEtcdHosts) {
      auto active = ssh(host,
                        "systemctl is-active zerospof-kube-apiserver zerospof-kube-scheduler "
                        "zerospof-kube-controller-manager");
      EXPECT_EQ(active.out, "active\nactive\nactive\n") << host;
      // Each apiserver ready on its own, not only the one the endpoint picked.
      auto ready = ssh(host,
                       "kubectl --kubeconfig=/etc/zerospof/kubeconfig/scheduler.conf "
                       "--request-timeout=5s get --raw /readyz");
      EXPECT_EQ(ready.out, "ok") << host << ": " << ready.err;
    }
    for (const auto& host : kAllHosts) {
      // The rendered firewall is loaded and drops by default; the endpoint and agent run.
      auto firewall = ssh(host, "nft list chain inet zerospof input | grep -c 'policy drop'");
      EXPECT_EQ(firewall.out, "1\n") << host << ": " << firewall.err;
      bool control = std::count(kEtcdHosts.begin(), kEtcdHosts.end(), host) == 1;
      std::string units = "zerospof-kwok";
      if (local_proxy || control) units += " haproxy";
      if (!local_proxy && control) units += " keepalived";
      std::string expected;
      for (int unit = 0; unit <= std::count(units.begin(), units.end(), ' '); ++unit)
        expected += "active\n";
      EXPECT_EQ(ssh(host, "systemctl is-active " + units).out, expected) << host << ": " << units;
    }
    expect_spread_with_budget("kube-system", "k8s-app=kube-dns", 3, "coredns");
    expect_spread_with_budget("ingress-nginx", "app.kubernetes.io/component=controller", 3,
                              "ingress-nginx-controller");
    // The VolumeSnapshotClass needs the snapshot CRDs that render now installs.
    EXPECT_EQ(kubectl("get volumesnapshotclass longhorn-snapshot -o jsonpath='{.driver}'").out,
              "driver.longhorn.io");
  }
};

TEST_F(WholeClusterTest, FreshHostsBecomeTheWholeHaClusterAndComeBackAfterEveryHostCrashes) {
  render(everything);
  auto first = apply();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  expect_whole_cluster(false);
  auto second = apply();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("apply: nothing to change"), std::string::npos) << second.out;

  // Every host crashes and boots again: the cluster comes back with no one touching it.
  for (const auto& host : kAllHosts) ASSERT_EQ(lab({"kill", host}).exit_code, 0) << host;
  for (const auto& host : kAllHosts)
    ASSERT_EQ(lab({"start", host}, seconds(120)).exit_code, 0) << host;
  EXPECT_TRUE(eventually_prints("get --raw /readyz", "ok", 180))
      << "the API did not come back through the VIP after every host restarted";
  expect_etcd_healthy_over_mtls();
  EXPECT_TRUE(eventually_prints(kNodesReady, all_ready(), 180)) << ready_nodes();
}

// The same plan with `endpoint.mode: local-proxy`: HAProxy on 127.0.0.1 on every node, no VIP.
class LocalProxyTest : public WholeClusterTest {
 protected:
  std::string user_plan() override {
    std::string file = dir_ + "/local-proxy.yaml";
    fs::create_directories(dir_);
    auto init = run({ZEROSPOF_BINARY, "init", file}, seconds(30));
    EXPECT_EQ(init.exit_code, 0) << init.err;
    std::string text = util::read_file(file).value_or("");
    const std::string vip = "    mode: vip\n    address: 198.18.0.100\n";
    EXPECT_NE(text.find(vip), std::string::npos) << text;
    if (text.find(vip) != std::string::npos)
      text.replace(text.find(vip), vip.size(), "    mode: local-proxy\n");
    EXPECT_TRUE(util::write_file_atomic(file, text, {.mode = 0644, .overwrite = true}));
    return file;
  }
};

TEST_F(LocalProxyTest, EveryNodeReachesTheApiThroughItsOwnProxyAndAKilledApplyConverges) {
  render(everything);
  // Killed past etcd's first members, while the control plane is being brought up.
  kill_apply_after(20);
  auto first = apply();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  expect_whole_cluster(true);
  // Every node agent talks to its own proxy, which balances over the three apiservers.
  auto kubeconfig = ssh("blackboar",
                        "grep -c 'server: https://127.0.0.1:6443' "
                        "/etc/zerospof/kubeconfig/kubelet.conf");
  EXPECT_EQ(kubeconfig.out, "1\n");
  auto keepalived = ssh("cloudserver1", "test -e /etc/keepalived/keepalived.conf || echo none");
  EXPECT_EQ(keepalived.out, "none\n");
  auto second = apply();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("apply: nothing to change"), std::string::npos) << second.out;
}

}  // namespace
}  // namespace zerospof
