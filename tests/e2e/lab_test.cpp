// End-to-end tests of `zerospof lab` with the real things: systemd-nspawn hosts booting real
// systemd and sshd in network namespaces, reached over real SSH. The suite brings one lab up in
// its own state directory and, whatever happens, takes it down again and checks that nothing
// (namespace, veth, mount, container process) is left. Needs root; the first run on a machine
// also builds the Debian image with debootstrap (about a minute and a half).
#include "lab/lab.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "e2e/lab_cluster.h"
#include "render/layout.h"
#include "render/render.h"
#include "support/key_material.h"
#include "support/scratch_directory.h"
#include "support/test_plans.h"
#include "util/process.h"

namespace zerospof {
namespace {

using std::chrono::seconds;

const std::vector<std::string> kHosts{"micklethefickle", "cloudserver1", "cloudserver2",
                                      "cloudserver3", "blackboar"};

std::string address_of(std::size_t index) { return fmt::format("198.18.0.{}", 10 + index); }

class LabTest : public ::testing::Test {
 protected:
  // One lab for the suite (e2e/lab_cluster.h): each test leaves it running, healed and with its
  // keys, and `up` before the next boots a host it left down.
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the lab end-to-end tests need root";
    paths_.state_dir = fmt::format("/var/lib/zerospof/lab-e2e-{}", getpid());
    auto up = e2e::bring_lab_up(paths_, paths_.state_dir, true, {"up"}, control_dirs_before_);
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  }

  static void TearDownTestSuite() {
    if (!e2e::shared_lab().up) return;
    e2e::take_shared_lab_down();
    EXPECT_EQ(lab_namespaces(), std::vector<std::string>{});
  }

  // `zerospof lab VERB --state-dir D ARGS...`
  util::ProcessResult zerospof(std::vector<std::string> arguments, seconds timeout = seconds(60),
                               std::optional<std::string> input = std::nullopt) {
    auto result = util::run(e2e::lab_argv(paths_.state_dir, arguments),
                            {.timeout = timeout, .input = std::move(input)});
    EXPECT_TRUE(result.has_value());
    // zerospof's own output never holds key material; `lab ssh` prints what the host printed.
    if (result && arguments.front() != "ssh") {
      EXPECT_EQ(testing::key_material(result->out + result->err), std::vector<std::string>{});
    }
    return result.value_or(util::ProcessResult{});
  }

  util::ProcessResult ssh(const std::string& host, const std::string& command,
                          std::optional<std::string> input = std::nullopt) {
    return zerospof({"ssh", host, "--", command}, seconds(120), std::move(input));
  }

  // From `from`, does a TCP connection to `address`:22 succeed within a second?
  bool reaches(const std::string& from, const std::string& address) {
    auto result = ssh(from, fmt::format("timeout 1 bash -c '</dev/tcp/{}/22'", address));
    return result.exit_code == 0;
  }

  void expect_reaches_every_other_host(std::size_t from) {
    for (std::size_t to = 0; to < kHosts.size(); ++to) {
      if (to == from) continue;
      EXPECT_TRUE(reaches(kHosts[from], address_of(to))) << kHosts[from] << " -> " << kHosts[to];
    }
  }

  nlohmann::json status() {
    auto result = zerospof({"status", "-o", "json"});
    return nlohmann::json::parse(result.out);
  }

  static std::vector<std::string> lab_namespaces() {
    std::vector<std::string> found;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/run/netns", error)) {
      std::string name = entry.path().filename().string();
      if (name.rfind("zerospof-lab", 0) == 0) found.push_back(name);
    }
    return found;
  }

  lab::LabPaths paths_;
  std::set<std::string> control_dirs_before_;
};

TEST_F(LabTest, EveryHostAnswersSshWithItsOwnNameAddressAndMachineIdAndRunsSystemdAsPid1) {
  std::set<std::string> machine_ids;
  for (std::size_t i = 0; i < kHosts.size(); ++i) {
    auto result = ssh(kHosts[i],
                      "hostname; ip -4 -o addr show dev eth0; cat /proc/1/comm; "
                      "systemctl is-system-running --wait; systemctl is-active ssh");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out.substr(0, result.out.find('\n')), kHosts[i]);
    // Apply's preflight refuses cloned hosts: each has a machine ID of its own, kept on reboot.
    auto machine_id = ssh(kHosts[i], "cat /etc/machine-id");
    EXPECT_EQ(machine_id.out.size(), 33u) << machine_id.out;
    EXPECT_EQ(machine_id.out.find_first_not_of("0123456789abcdef\n"), std::string::npos);
    machine_ids.insert(machine_id.out);
    EXPECT_NE(result.out.find("inet " + address_of(i) + "/24"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("\nsystemd\n"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("\nactive\n"), std::string::npos) << result.out;
  }
  EXPECT_EQ(machine_ids.size(), kHosts.size());
}

TEST_F(LabTest, HostsReachEachOtherAndTheBridgeAndNothingElse) {
  for (std::size_t i = 0; i < kHosts.size(); ++i) {
    expect_reaches_every_other_host(i);
    // This machine's address on the bridge answers; no route exists to anything else, so a
    // connection to any other address fails at once without a packet leaving the host.
    auto result = ssh(kHosts[i],
                      "ping -c 1 -W 1 198.18.0.1 >/dev/null && echo bridge-ok; "
                      "ip route; timeout 1 bash -c '</dev/tcp/198.19.255.254/22' "
                      "2>&1; true");
    EXPECT_NE(result.out.find("bridge-ok"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("default"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("Network is unreachable"), std::string::npos) << result.out;
  }
}

TEST_F(LabTest, KillMakesAHostUnreachableWithinASecondAndStartBringsItBack) {
  auto before = status();
  auto killed = zerospof({"kill", "cloudserver2"});
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  auto started_at = std::chrono::steady_clock::now();
  EXPECT_FALSE(reaches("cloudserver1", address_of(2)));
  // The unreachability was already there when the first probe (bounded at 1s) ran.
  EXPECT_LT(std::chrono::steady_clock::now() - started_at, seconds(5));
  auto after = status();
  EXPECT_EQ(after[2]["state"], "killed");
  EXPECT_FALSE(util::process_alive(before[2]["init_pid"].get<pid_t>()));  // systemd died too
  auto start = zerospof({"start", "cloudserver2"}, seconds(300));
  ASSERT_EQ(start.exit_code, 0) << start.err;
  auto login = ssh("cloudserver2", "hostname; systemctl is-active ssh");
  EXPECT_EQ(login.out, "cloudserver2\nactive\n") << login.err;
  EXPECT_TRUE(reaches("cloudserver1", address_of(2)));
}

// Processes whose command line holds the lab's keeper name and `host`'s root: the shell that
// boots the host again after a reboot.
std::vector<pid_t> keepers_of(const std::string& state_dir, const std::string& host) {
  std::vector<pid_t> found;
  std::error_code error;
  const std::string root = state_dir + "/hosts/" + host + "/root";
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string command_line = util::read_file((entry.path() / "cmdline").string()).value_or("");
    if (command_line.find(std::string("zerospof-lab-keeper") + '\0') != std::string::npos &&
        command_line.find(root) != std::string::npos && util::process_alive(std::stoi(name)))
      found.push_back(std::stoi(name));
  }
  return found;
}

// A host's own `systemctl reboot` boots it again, as a real server's does (the drill's
// `--host-down reboot` relies on it); `lab kill` ends the keeper with the host, so nothing boots
// a killed host but `lab start`.
TEST_F(LabTest, ARebootedHostBootsAgainByItselfAndAKilledOneStaysDown) {
  pid_t init = status()[3]["init_pid"].get<pid_t>();
  ASSERT_GT(init, 1);
  EXPECT_EQ(keepers_of(paths_.state_dir.string(), "cloudserver3").size(), 1u);
  auto reboot = ssh("cloudserver3", "systemd-run --quiet --on-active=1s /bin/systemctl reboot");
  ASSERT_EQ(reboot.exit_code, 0) << reboot.err;
  nlohmann::json after;
  for (int i = 0; i < 600; ++i) {  // bounded: about a minute
    after = status()[3];
    if (after["state"] == "running" && after["init_pid"] != init) break;
    usleep(100'000);
  }
  EXPECT_NE(after["init_pid"], init) << after;
  EXPECT_FALSE(util::process_alive(init));
  std::string name;
  for (int i = 0; i < 60 && name != "cloudserver3\n"; ++i) {  // bounded: about a minute
    name = ssh("cloudserver3", "hostname").out;
    if (name != "cloudserver3\n") sleep(1);
  }
  EXPECT_EQ(name, "cloudserver3\n");
  std::string console =
      util::read_file((paths_.state_dir / "hosts/cloudserver3/console.log").string()).value_or("");
  EXPECT_NE(console.find("the host asked for a reboot; booting it again"), std::string::npos);
  EXPECT_EQ(keepers_of(paths_.state_dir.string(), "cloudserver3").size(), 1u);

  auto killed = zerospof({"kill", "cloudserver3"});
  ASSERT_EQ(killed.exit_code, 0) << killed.err;
  EXPECT_EQ(keepers_of(paths_.state_dir.string(), "cloudserver3"), std::vector<pid_t>{});
  EXPECT_EQ(status()[3]["state"], "killed");
  auto start = zerospof({"start", "cloudserver3"}, seconds(300));
  ASSERT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(keepers_of(paths_.state_dir.string(), "cloudserver3").size(), 1u);
}

TEST_F(LabTest, AHostKilledByHandIsReportedAndUpBootsItAgain) {
  pid_t init = status()[4]["init_pid"].get<pid_t>();
  ASSERT_GT(init, 1);
  ASSERT_EQ(kill(init, SIGKILL), 0);
  for (int i = 0; i < 100 && util::process_alive(init); ++i) usleep(50'000);
  auto result = zerospof({"status"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("blackboar is down, but not by `zerospof lab kill`"), std::string::npos)
      << result.out;
  auto again = zerospof({"up"}, seconds(300));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("blackboar: was down although nothing in zerospof stopped it"),
            std::string::npos)
      << again.err;
  EXPECT_EQ(ssh("blackboar", "hostname").out, "blackboar\n");
}

TEST_F(LabTest, UpTwiceIsSafeAndKeepsTheRunningHosts) {
  auto before = status();
  auto again = zerospof({"up"}, seconds(300));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto after = status();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i]["init_pid"], before[i]["init_pid"]);  // the same systemd: not rebooted
    EXPECT_EQ(after[i]["state"], "running");
  }
}

TEST_F(LabTest, PartitionBlocksExactlyTheCrossGroupTrafficAndHealRestoresIt) {
  auto partitioned = zerospof({"partition",
                               "micklethefickle,cloudserver1/cloudserver2,"
                               "cloudserver3,blackboar"});
  ASSERT_EQ(partitioned.exit_code, 0) << partitioned.err;
  auto group = [](std::size_t i) { return i < 2 ? 0 : 1; };
  for (std::size_t i = 0; i < kHosts.size(); ++i) {
    for (std::size_t j = 0; j < kHosts.size(); ++j) {
      if (i == j) continue;
      EXPECT_EQ(reaches(kHosts[i], address_of(j)), group(i) == group(j))
          << kHosts[i] << " -> " << kHosts[j];
    }
    EXPECT_TRUE(reaches(kHosts[i], address_of(i)));
  }
  ASSERT_EQ(zerospof({"heal"}).exit_code, 0);
  for (std::size_t i = 0; i < kHosts.size(); ++i) expect_reaches_every_other_host(i);
}

TEST_F(LabTest, SshChecksHostKeysAgainstTheLabKnownHosts) {
  auto known_hosts = paths_.state_dir / "known_hosts";
  std::string kept = util::read_file(known_hosts.string()).value_or("");
  ASSERT_FALSE(kept.empty());
  std::ofstream(known_hosts, std::ios::trunc) << "";  // forget every host key
  auto result = ssh("cloudserver1", "true");
  // The suite's later tests need them back.
  ASSERT_TRUE(
      util::write_file_atomic(known_hosts.string(), kept, {.mode = 0644, .overwrite = true}));
  EXPECT_EQ(ssh("cloudserver1", "true").exit_code, 0);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("Host key verification failed"), std::string::npos) << result.err;
  auto mode = std::filesystem::status(paths_.state_dir / "id_ed25519").permissions();
  EXPECT_EQ(mode, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(LabTest, BuiltKubernetesEtcdAndKwokBinariesStartInsideALabHost) {
  // Built by lab/binaries/build.sh (cached; the first build is slow, see docs/lab.md).
  util::RunOptions options;
  options.timeout = std::chrono::hours(3);
  auto built = util::run({ZEROSPOF_SOURCE_DIR "/lab/binaries/build.sh"}, options);
  ASSERT_TRUE(built.has_value());
  ASSERT_EQ(built->exit_code, 0) << built->err;
  std::filesystem::path cache = built->out.substr(0, built->out.find('\n'));
  std::ifstream manifest(cache / "manifest");
  std::string name, version, sha256;
  int count = 0;
  while (manifest >> name >> version >> sha256) {
    ++count;
    std::ifstream binary(cache / name, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(binary)), {});
    auto copied = ssh("cloudserver1",
                      fmt::format("cat > /usr/local/bin/{0} && chmod 755 "
                                  "/usr/local/bin/{0} && sha256sum "
                                  "/usr/local/bin/{0}",
                                  name),
                      content);
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
    EXPECT_EQ(copied.out.substr(0, 64), sha256) << name;
    // kubectl and etcdctl have a `version` subcommand instead of --version; an image archive
    // names its image, whose tag carries the version, in its index.
    std::string version_command = name == "kubectl"   ? "/usr/local/bin/kubectl version --client"
                                  : name == "etcdctl" ? "/usr/local/bin/etcdctl version"
                                  : name.rfind("image-", 0) == 0
                                      ? "tar -xOf /usr/local/bin/" + name + " index.json"
                                      : "/usr/local/bin/" + name + " --version";
    auto ran = ssh("cloudserver1", fmt::format("{} 2>&1 | head -3", version_command));
    EXPECT_EQ(ran.exit_code, 0) << name << ": " << ran.err;
    std::string short_version = version.substr(1);  // "v1.37.2" is printed as 1.37.2 by etcd
    EXPECT_NE(ran.out.find(short_version), std::string::npos) << name << ": " << ran.out;
  }
  // The control plane, etcd, kwok and kubectl; kubelet, kube-proxy, containerd, config-check;
  // the lab's real pods: the shim, ctr, runc, 4 CNI plugins and 4 images.
  EXPECT_EQ(count, 22);
}

// A restart of containerd must not take its containers with it. Its shims, which hold the
// containers, live in containerd's own cgroup; systemd kills that whole cgroup on a restart unless
// the unit says KillMode=process. Here real systemd on a lab host runs render's containerd unit
// with a stand-in program (containerd cannot run its containers here: no runc, no images): a
// daemon that starts a long-lived child, as containerd starts a shim. The child must outlive a
// restart; with the KillMode line taken out of the same unit (the control) it must not.
TEST_F(LabTest, TheRenderedContainerdUnitKeepsItsChildrenAcrossARestart) {
  const std::string unit_name = render::layout::kContainerdUnit;
  zerospof::testing::ScratchDirectory pki("zerospof-lab-containerd");
  render::RenderOptions options;
  options.pki_dir = pki.path() + "/pki";
  auto bundle =
      render::render(zerospof::testing::load_plan(zerospof::testing::addressed_plan()), options);
  ASSERT_TRUE(bundle) << util::format_error(bundle.error());
  std::string unit;
  for (const render::File& file : bundle->files)
    if (file.host == "blackboar" && file.path == render::layout::unit_path(unit_name))
      unit = file.content;
  ASSERT_NE(unit.find("KillMode=process\n"), std::string::npos) << unit;
  // The stand-in cannot tell systemd it is ready (sd_notify), so it is a simple service here;
  // what is judged is which processes a restart kills.
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  unit = replace(unit, "Type=notify\n", "");
  unit = replace(unit, "/usr/local/bin/containerd", "/usr/local/bin/zerospof-shim-parent");
  const std::string stand_in =
      "#!/bin/sh\n"
      "# A stand-in for containerd: one long-lived child, as a shim.\n"
      "sleep 1000 &\n"
      "echo $! > /run/zerospof-shim.pid\n"
      "exec sleep 1000\n";
  ASSERT_EQ(ssh("blackboar",
                "cat > /usr/local/bin/zerospof-shim-parent && "
                "chmod 755 /usr/local/bin/zerospof-shim-parent",
                stand_in)
                .exit_code,
            0);
  // Starts the unit, restarts it, and says whether the first child is still alive.
  auto child_survives_a_restart = [&](const std::string& unit_text) {
    EXPECT_EQ(
        ssh("blackboar",
            "cat > /etc/systemd/system/" + unit_name +
                " && systemctl daemon-reload && systemctl restart " + unit_name + " && sleep 1",
            unit_text)
            .exit_code,
        0);
    auto child = ssh("blackboar", "cat /run/zerospof-shim.pid");
    EXPECT_EQ(child.exit_code, 0) << child.err;
    std::string pid = child.out.substr(0, child.out.find('\n'));
    EXPECT_EQ(ssh("blackboar", "systemctl restart " + unit_name + " && sleep 1").exit_code, 0);
    bool alive = ssh("blackboar", "kill -0 " + pid).exit_code == 0;
    // The child this test started, ended by its PID; then the unit.
    ssh("blackboar", "kill " + pid + " 2>/dev/null; systemctl stop " + unit_name);
    return alive;
  };
  EXPECT_TRUE(child_survives_a_restart(unit)) << "the rendered unit killed the child:\n" << unit;
  EXPECT_FALSE(child_survives_a_restart(replace(unit, "KillMode=process\n", "")))
      << "without KillMode=process the child survived too: the test proves nothing";
  ssh("blackboar", "rm -f /etc/systemd/system/" + unit_name +
                       " /usr/local/bin/zerospof-shim-parent /run/zerospof-shim.pid && "
                       "systemctl daemon-reload");
}

}  // namespace
}  // namespace zerospof
