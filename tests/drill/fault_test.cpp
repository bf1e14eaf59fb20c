// Faults on recorded hosts: the heal is always armed (script and timer) before the fault is
// injected, a partition lives in zerospof's own nftables table and names only the other side,
// and heal_leftovers() finds what an interrupted drill left.
#include "drill/fault.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "support/recording_transport.h"
#include "support/scratch_directory.h"
#include "support/test_plans.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::drill {
namespace {

// The index of the first recorded call on `host` whose text contains `needle`; -1 if none.
int first_call(const std::vector<testing::RecordingTransport::Call>& calls, const std::string& host,
               const std::string& needle) {
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (calls[i].host == host && calls[i].what.find(needle) != std::string::npos)
      return static_cast<int>(i);
  return -1;
}

class FaultTest : public ::testing::Test {
 protected:
  model::Cluster cluster_ = testing::load_plan(testing::addressed_plan());
  testing::RecordingTransport hosts_;
  FaultInjector injector_{cluster_, hosts_, std::nullopt, "/nonexistent"};
};

TEST_F(FaultTest, TheHealIsArmedOnTheHostBeforeTheKill) {
  const Scenario& scenario = *find_scenario("apiserver-killed");
  auto fault = injector_.inject(scenario, {"cloudserver1"}, "7-0-apiserver-killed",
                                std::chrono::seconds(70));
  ASSERT_TRUE(fault) << util::format_error(fault.error());
  auto calls = hosts_.calls();
  int script = first_call(calls, "cloudserver1", "/run/zerospof-drill/7-0-apiserver-killed.sh");
  int timer = first_call(calls, "cloudserver1",
                         "systemd-run --quiet --collect "
                         "--unit=zerospof-drill-heal-7-0-apiserver-killed "
                         "--on-active=70s --timer-property=AccuracySec=1s");
  int kill = first_call(calls, "cloudserver1", "kill -KILL");
  ASSERT_GE(script, 0);
  ASSERT_GE(timer, 0);
  ASSERT_GE(kill, 0);
  EXPECT_LT(script, timer);
  EXPECT_LT(timer, kill);
  auto heal = hosts_.files().at({"cloudserver1", "/run/zerospof-drill/7-0-apiserver-killed.sh"});
  EXPECT_NE(heal.content.find("systemctl start --no-block 'zerospof-kube-apiserver.service'"),
            std::string::npos)
      << heal.content;
  EXPECT_NE(heal.content.find("rm -f /run/zerospof-drill/7-0-apiserver-killed.sh"),
            std::string::npos);
  EXPECT_EQ(fault->description, "sigkill zerospof-kube-apiserver.service on cloudserver1");
}

// The state letter of process `pid` in /proc ('T' when stopped); '?' when it is gone.
char process_state(pid_t pid) {
  auto stat = util::read_process_stat(fmt::format("/proc/{}/stat", pid));
  return stat ? stat->state : '?';
}

TEST_F(FaultTest, APauseStopsTheUnitsMainProcessAndItsChildren) {
  // HAProxy's master only supervises and its worker serves: stopping the main PID alone left the
  // API served. The recorded pause command runs here, on a real parent and child, with a
  // systemctl that names the parent as the unit's main process.
  const Scenario& scenario = *find_scenario("haproxy-paused");
  ASSERT_TRUE(
      injector_.inject(scenario, {"cloudserver1"}, "7-0-haproxy-paused", std::chrono::seconds(70)));
  auto calls = hosts_.calls();
  int pause = first_call(calls, "cloudserver1", "kill -STOP");
  ASSERT_GE(pause, 0);
  testing::ScratchDirectory scratch("pause");
  auto parent =
      util::spawn_detached({"/bin/sh", "-c", "sleep 30 & wait"}, {scratch.path() + "/parent.log"});
  ASSERT_TRUE(parent);
  // Both ended whatever the test's outcome: resumed first, a stopped process keeps a SIGTERM
  // pending.
  struct Reaper {
    std::vector<pid_t> pids;
    ~Reaper() {
      for (pid_t pid : pids) ::kill(pid, SIGCONT), ::kill(pid, SIGKILL);
    }
  } reaper{{*parent}};
  pid_t child = 0;
  for (int i = 0; i < 50 && child == 0; ++i) {  // bounded: the shell starts its child at once
    auto children = util::run({"pgrep", "-P", std::to_string(*parent)});
    if (children && children->succeeded()) child = std::stoi(children->out);
    if (child == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GT(child, 0) << "the shell started no child";
  reaper.pids.push_back(child);
  ASSERT_TRUE(util::write_file_atomic(
      scratch.path() + "/systemctl", fmt::format("#!/bin/sh\necho {}\n", *parent), {.mode = 0755}));
  auto paused = util::run({"/usr/bin/env", "PATH=" + scratch.path() + ":/usr/bin:/bin", "/bin/sh",
                           "-c", calls[static_cast<std::size_t>(pause)].what});
  ASSERT_TRUE(paused && paused->succeeded())
      << (paused ? paused->err : util::format_error(paused.error()));
  // A stop takes effect when the process is next scheduled: polled, bounded (about 2 s).
  auto stopped = [](pid_t pid) {
    for (int i = 0; i < 100 && process_state(pid) != 'T'; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return process_state(pid);
  };
  EXPECT_EQ(stopped(*parent), 'T');
  EXPECT_EQ(stopped(child), 'T');
  EXPECT_NE(hosts_.files()
                .at({"cloudserver1", "/run/zerospof-drill/7-0-haproxy-paused.sh"})
                .content.find("systemctl kill -s CONT 'haproxy.service'"),
            std::string::npos);
}

TEST_F(FaultTest, APartitionCutsEveryHostOffAtOnce) {
  // Each host's rules are answered only once every host's have arrived (5 s at most): sent host
  // after host, the first would wait alone and fail. Applied one by one on a loaded machine, a
  // partition was asymmetric for seconds.
  std::mutex mutex;
  std::condition_variable arrived;
  std::size_t waiting = 0;
  const std::size_t hosts = cluster_.nodes.size();
  hosts_.answer_with("table inet zerospof_drill {", [&](const std::string&, const std::string&) {
    std::unique_lock lock(mutex);
    ++waiting;
    arrived.notify_all();
    bool all = arrived.wait_for(lock, std::chrono::seconds(5), [&] { return waiting >= hosts; });
    return transport::CommandResult{.exit_code = all ? 0 : 1, .err = all ? "" : "alone"};
  });
  auto fault = injector_.inject(*find_scenario("partition-2-3"), {"micklethefickle", "blackboar"},
                                "c", std::chrono::seconds(70));
  ASSERT_TRUE(fault) << util::format_error(fault.error());
  EXPECT_EQ(waiting, hosts);
}

TEST_F(FaultTest, AFailedArmInjectsNothing) {
  hosts_.answer("systemd-run", {.exit_code = 1, .err = "Failed to start transient timer unit"});
  auto fault = injector_.inject(*find_scenario("etcd-stopped"), {"cloudserver1"}, "x",
                                std::chrono::seconds(70));
  EXPECT_FALSE(fault);
  EXPECT_EQ(first_call(hosts_.calls(), "cloudserver1", "systemctl stop"), -1);
}

TEST_F(FaultTest, APartitionLivesInItsOwnTableAndDropsOnlyTheOtherSide) {
  auto fault = injector_.inject(*find_scenario("partition-2-3"), {"micklethefickle", "blackboar"},
                                "p", std::chrono::seconds(70));
  ASSERT_TRUE(fault) << util::format_error(fault.error());
  EXPECT_EQ(fault->hosts.size(), cluster_.nodes.size());
  auto calls = hosts_.calls();
  for (const model::Node& node : cluster_.nodes) {
    int armed = first_call(calls, node.name, "systemd-run");
    int rules = first_call(calls, node.name, "table inet zerospof_drill {");
    ASSERT_GE(armed, 0) << node.name;
    ASSERT_GE(rules, 0) << node.name;
    // Every host is armed before any host is cut off.
    EXPECT_LT(armed, first_call(calls, "micklethefickle", "table inet zerospof_drill {"));
    const std::string& text = calls[static_cast<std::size_t>(rules)].what;
    EXPECT_EQ(text.find("table inet zerospof "), std::string::npos) << "never the firewall's table";
    EXPECT_EQ(text.find("flush ruleset"), std::string::npos);
    bool minority = node.name == "micklethefickle" || node.name == "blackboar";
    std::string own = node.address->base.to_string();
    EXPECT_EQ(text.find(own + ","), std::string::npos) << node.name << " drops itself: " << text;
    EXPECT_EQ(text.find(own + " }"), std::string::npos) << node.name << " drops itself: " << text;
    // The minority drops the three others, the majority the two.
    std::size_t commas = static_cast<std::size_t>(
        std::count(text.begin(), text.begin() + static_cast<long>(text.find("drop")), ','));
    EXPECT_EQ(commas, minority ? 2u : 1u) << node.name << ": " << text;
  }
  auto heal = hosts_.files().at({"cloudserver2", "/run/zerospof-drill/p.sh"});
  EXPECT_NE(heal.content.find("nft delete table inet zerospof_drill"), std::string::npos);
}

TEST_F(FaultTest, ACrashOutsideTheLabIsRefusedNotFaked) {
  auto fault = injector_.inject(*find_scenario("primary-down"), {"cloudserver1"}, "h",
                                std::chrono::seconds(70));
  ASSERT_FALSE(fault);
  EXPECT_NE(fault.error().message.find("needs the lab"), std::string::npos);
  EXPECT_NE(fault.error().hint.find("--host-down isolate"), std::string::npos);
  EXPECT_TRUE(hosts_.calls().empty());
}

TEST_F(FaultTest, AnIsolatedHostIsArmedFirstAndKeepsOnlyTheOperatorsSsh) {
  FaultInjector injector(cluster_, hosts_, std::nullopt, "/nonexistent", HostDownMethod::kIsolate);
  auto fault = injector.inject(*find_scenario("two-workers-down"), {"blackboar", "cloudserver3"},
                               "5-0-two-workers-down", std::chrono::seconds(70));
  ASSERT_TRUE(fault) << util::format_error(fault.error());
  EXPECT_EQ(fault->hosts, (std::vector<std::string>{"blackboar", "cloudserver3"}));
  EXPECT_EQ(fault->description,
            "blackboar, cloudserver3 isolated (every packet dropped but loopback and the "
            "operator's SSH)");
  auto calls = hosts_.calls();
  // Both hosts armed before either is cut off.
  const int first_rules = first_call(calls, "blackboar", "policy drop");
  ASSERT_GE(first_rules, 0);
  for (const std::string host : {"blackboar", "cloudserver3"}) {
    int armed = first_call(calls, host, "--unit=zerospof-drill-heal-5-0-two-workers-down");
    ASSERT_GE(armed, 0) << host;
    EXPECT_LT(armed, first_rules) << host;
    EXPECT_GE(first_call(calls, host, "$SSH_CONNECTION"), 0) << host;
    const auto heal = hosts_.files().at({host, "/run/zerospof-drill/5-0-two-workers-down.sh"});
    EXPECT_NE(heal.content.find("nft delete table inet zerospof_drill"), std::string::npos);
    EXPECT_NE(heal.content.find("nft delete table arp zerospof_drill"), std::string::npos);
  }
  // The heal reaches the hosts through the connection the isolation kept.
  ASSERT_TRUE(injector.heal(*fault));
  EXPECT_GE(first_call(hosts_.calls(), "cloudserver3", "/bin/sh /run/zerospof-drill/5-0-two"), 0);
}

TEST_F(FaultTest, ARebootIsQueuedAndCountsOnceTheHostStopsAnswering) {
  // The host answers twice more after its reboot was queued, then no more.
  int answers = 0;
  hosts_.answer_with("true", [&answers](const std::string&, const std::string& script) {
    if (script != "true") return transport::CommandResult{.exit_code = 0};
    return ++answers <= 2 ? transport::CommandResult{.exit_code = 0}
                          : transport::CommandResult{.exit_code = 255, .err = "Connection closed"};
  });
  FaultInjector injector(cluster_, hosts_, std::nullopt, "/nonexistent", HostDownMethod::kReboot);
  auto fault = injector.inject(*find_scenario("primary-down"), {"cloudserver1"}, "r",
                               std::chrono::seconds(70));
  ASSERT_TRUE(fault) << util::format_error(fault.error());
  EXPECT_EQ(answers, 3);
  EXPECT_GE(
      first_call(hosts_.calls(), "cloudserver1", "--unit=zerospof-drill-reboot-r --on-active=1s"),
      0);
  EXPECT_GE(first_call(hosts_.calls(), "cloudserver1", "/bin/systemctl reboot --force"), 0);
  // Nothing is armed (the host comes back by itself) and nothing is left to heal.
  EXPECT_EQ(first_call(hosts_.calls(), "cloudserver1", "zerospof-drill-heal"), -1);
  const std::size_t before = hosts_.calls().size();
  EXPECT_TRUE(injector.heal(*fault));
  EXPECT_EQ(hosts_.calls().size(), before);
}

// The isolation's rules against the real nftables, in two network namespaces of the test's
// own joined by a veth pair: "host" 198.18.251.1, "operator" 198.18.251.2. Listeners are
// bounded (20 connections, 60 s); both namespaces go, with everything in them, at the end.
class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
    if (!std::filesystem::exists("/usr/sbin/nft") || !std::filesystem::exists("/usr/bin/python3"))
      GTEST_SKIP() << "nft or python3 is not installed (scripts/install-deps.sh)";
    const std::string id = std::to_string(::getpid());
    host_ = "zerospof-isolation-" + id + "-host";
    operator_ = "zerospof-isolation-" + id + "-operator";
    const std::string host_link = "zsi" + id + "h", operator_link = "zsi" + id + "o";
    auto made = util::run(
        {"/bin/sh", "-ec",
         fmt::format("ip netns add {0}; ip netns add {1}; "
                     "ip link add {2} type veth peer name {3}; "
                     "ip link set {2} netns {0}; ip link set {3} netns {1}; "
                     "ip -n {0} addr add 198.18.251.1/24 dev {2}; ip -n {0} link set {2} up; "
                     "ip -n {0} link set lo up; "
                     "ip -n {1} addr add 198.18.251.2/24 dev {3}; ip -n {1} link set {3} up; "
                     "ip -n {1} link set lo up",
                     host_, operator_, host_link, operator_link)});
    made_ = true;
    ASSERT_TRUE(made && made->exit_code == 0) << (made ? made->err : "");
  }

  void TearDown() override {
    for (const pid_t listener : listeners_) ::kill(-listener, SIGKILL);
    if (made_)
      util::run({"/bin/sh", "-c",
                 fmt::format("ip netns del {} 2>/dev/null; ip netns del {} 2>/dev/null; true",
                             host_, operator_)});
  }

  util::ProcessResult in(const std::string& netns, const std::vector<std::string>& command) {
    std::vector<std::string> argv{"ip", "netns", "exec", netns};
    argv.insert(argv.end(), command.begin(), command.end());
    auto result = util::run(argv, {.timeout = std::chrono::seconds(10)});
    return result ? *result : util::ProcessResult{};
  }

  // Runs the python3 `program` in `netns`; it must bound itself, and is ended by PID anyway.
  void start_python(const std::string& netns, const std::string& program,
                    const std::vector<std::string>& arguments) {
    std::vector<std::string> argv{"ip", "netns", "exec", netns, "/usr/bin/python3", "-c", program};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    auto started = util::spawn_detached(argv, {.log_path = "/dev/null"});
    ASSERT_TRUE(started);
    listeners_.push_back(*started);
  }

  // Accepts and closes TCP connections on `port` (20 at most, 60 s at most).
  void listen(const std::string& netns, int port) {
    start_python(netns,
                 "import socket, sys\n"
                 "s = socket.socket()\n"
                 "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                 "s.bind(('0.0.0.0', int(sys.argv[1])))\n"
                 "s.listen(8)\n"
                 "s.settimeout(60)\n"
                 "for _ in range(20): s.accept()[0].close()\n",
                 {std::to_string(port)});
    for (int i = 0; i < 50 && !connects(netns, "127.0.0.1", port); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  // Appends every UDP datagram `netns` receives on `port` to `file` (20 at most, 60 s at most):
  // what reaches the host at all, which TCP cannot show when the answers are dropped anyway.
  void listen_udp(const std::string& netns, int port, const std::string& file) {
    start_python(netns,
                 "import socket, sys\n"
                 "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                 "s.bind(('0.0.0.0', int(sys.argv[1])))\n"
                 "s.settimeout(60)\n"
                 "for _ in range(20):\n"
                 "    data = s.recv(64)\n"
                 "    with open(sys.argv[2], 'ab') as out: out.write(data)\n",
                 {std::to_string(port), file});
  }

  // What `file` holds after a datagram sent from `netns` to address:port had time to arrive.
  std::string after_datagram(const std::string& netns, const std::string& address, int port,
                             const std::string& text, const std::string& file) {
    in(netns, {"bash", "-c", fmt::format("echo {} >/dev/udp/{}/{}", text, address, port)});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return util::read_file(file).value_or("");
  }

  // A TCP connection from `netns` to address:port opens within a second.
  bool connects(const std::string& netns, const std::string& address, int port) {
    return in(netns,
              {"timeout", "1", "bash", "-c", fmt::format("exec 3<>/dev/tcp/{}/{}", address, port)})
               .exit_code == 0;
  }

  util::ProcessResult isolate(const std::string& rules, const std::string& ssh_connection) {
    std::vector<std::string> command{"env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    if (!ssh_connection.empty()) command.push_back("SSH_CONNECTION=" + ssh_connection);
    command.insert(command.end(), {"/bin/sh", "-c", rules});
    return in(host_, command);
  }

  std::string host_, operator_;
  bool made_ = false;
  std::vector<pid_t> listeners_;
};

TEST_F(IsolationTest, TheHostAnswersOnlyTheOperatorsSshAndLoopbackUntilTheTablesGo) {
  model::Cluster cluster = testing::load_plan(testing::addressed_plan());
  testing::RecordingTransport unused;
  const FaultInjector injector(cluster, unused, std::nullopt, "/nonexistent",
                               HostDownMethod::kIsolate);
  listen(host_, 2222);  // the host's sshd, as far as the rules know
  listen(host_, 2379);  // anything else it serves
  listen(operator_, 5555);
  testing::ScratchDirectory scratch("zerospof-isolation-test");
  const std::string received = scratch.path() + "/received";
  listen_udp(host_, 5353, received);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // python's start
  ASSERT_TRUE(connects(operator_, "198.18.251.1", 2379));
  ASSERT_EQ(after_datagram(operator_, "198.18.251.1", 5353, "before", received), "before\n");
  ASSERT_TRUE(connects(host_, "198.18.251.2", 5555));

  // Without the operator's connection known, nothing is dropped: the operator would be cut off.
  auto refused = isolate(injector.isolation_rules(), "");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("SSH_CONNECTION is unset"), std::string::npos) << refused.err;
  EXPECT_TRUE(connects(operator_, "198.18.251.1", 2379));

  // An IPv4 client as a dual-stack sshd shows it.
  auto isolated =
      isolate(injector.isolation_rules(), "::ffff:198.18.251.2 40022 198.18.251.1 2222");
  ASSERT_EQ(isolated.exit_code, 0) << isolated.err;
  EXPECT_TRUE(connects(operator_, "198.18.251.1", 2222));
  EXPECT_FALSE(connects(operator_, "198.18.251.1", 2379));
  EXPECT_FALSE(connects(host_, "198.18.251.2", 5555));
  EXPECT_TRUE(connects(host_, "127.0.0.1", 2379));
  EXPECT_EQ(after_datagram(operator_, "198.18.251.1", 5353, "during", received), "before\n");
  EXPECT_EQ(after_datagram(host_, "127.0.0.1", 5353, "loopback", received), "before\nloopback\n");
  // The VIP is never announced from the isolated host.
  auto arp = in(host_, {"nft", "list", "table", "arp", "zerospof_drill"});
  EXPECT_NE(arp.out.find("arp saddr ip 198.18.7.100 drop"), std::string::npos) << arp.out;

  // Isolating again replaces the rules rather than adding a second set.
  ASSERT_EQ(isolate(injector.isolation_rules(), "198.18.251.2 40022 198.18.251.1 2222").exit_code,
            0);
  EXPECT_TRUE(connects(operator_, "198.18.251.1", 2222));
  EXPECT_FALSE(connects(operator_, "198.18.251.1", 2379));

  // The heal deletes both tables, and that is all it takes.
  auto healed = in(host_, {"/bin/sh", "-c",
                           "nft delete table inet zerospof_drill && "
                           "nft delete table arp zerospof_drill"});
  ASSERT_EQ(healed.exit_code, 0) << healed.err;
  EXPECT_TRUE(connects(operator_, "198.18.251.1", 2379));
  EXPECT_TRUE(connects(host_, "198.18.251.2", 5555));
}

TEST_F(FaultTest, HealLeftoversRunsWhatIsLeftOnEveryHostAndSaysWhere) {
  hosts_.answer("zerospof-drill", {.exit_code = 0, .out = "0\n"});
  auto healed = injector_.heal_leftovers();
  ASSERT_TRUE(healed);
  EXPECT_TRUE(healed->empty());
  for (const model::Node& node : cluster_.nodes)
    EXPECT_GE(first_call(hosts_.calls(), node.name, "/run/zerospof-drill/*.sh"), 0) << node.name;
  testing::RecordingTransport left;
  left.answer("zerospof-drill", {.exit_code = 0, .out = "2\n"});
  FaultInjector injector(cluster_, left, std::nullopt, "/nonexistent");
  healed = injector.heal_leftovers();
  ASSERT_TRUE(healed);
  EXPECT_EQ(healed->size(), cluster_.nodes.size());
  EXPECT_EQ(healed->front().find(": 2 fault(s) reverted") != std::string::npos, true);
}

TEST_F(FaultTest, ALabHostACrashedDrillLeftIsNeverForgottenWithoutTheLab) {
  // A watchdog record (PID 0: nothing to signal) as a drill killed mid host-down leaves it.
  auto dir = std::filesystem::temp_directory_path() /
             ("zerospof-drill-state-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "watchdogs");
  ASSERT_TRUE(util::write_file_atomic((dir / "watchdogs" / "9-0-primary-down").string(),
                                      "0 cloudserver1\n", {.overwrite = true}));
  FaultInjector injector(cluster_, hosts_, std::nullopt, dir.string());
  auto healed = injector.heal_leftovers();
  ASSERT_FALSE(healed);
  EXPECT_NE(healed.error().message.find("cloudserver1"), std::string::npos);
  EXPECT_NE(healed.error().hint.find("--lab"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "watchdogs" / "9-0-primary-down"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zerospof::drill
