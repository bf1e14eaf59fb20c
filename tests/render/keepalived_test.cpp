// keepalived's configuration, checked by keepalived itself (`keepalived -t -f FILE -l`: in
// 2.2, --config-test=ARG names a log file, not the configuration), and the VRRP choices that
// make the VIP stable: all BACKUP, equal priority, nopreempt, local tracking, unicast peers; the
// fitness loop of the fast profile run against a real HAProxy.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

using testing::Variant;

const char* kScript = "/etc/keepalived/check-apiserver.sh";
const char* kFitnessScript = "/etc/keepalived/vip-fitness.sh";
const char* kFitnessFile = "/run/zerospof-vip-fitness";

const File& config_of(const std::string& node, Variant variant = Variant::kVip) {
  const File* config =
      testing::find_file(testing::rendered(variant).bundle, node, layout::kKeepalivedConfig);
  EXPECT_NE(config, nullptr) << node;
  static const File none;
  return config ? *config : none;
}

// keepalived refuses a VRRP instance on an interface that does not exist here.
std::string local_interface() {
  if (std::filesystem::exists("/sys/class/net/eth0")) return "eth0";
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net"))
    if (entry.path().filename() != "lo") return entry.path().filename();
  return "eth0";
}

// keepalived -t on each holder's configuration of `variant`, with its tracked files at the
// places the test wrote them.
void expect_valid_for_keepalived(Variant variant) {
  std::string keepalived = testing::find_program({"/usr/sbin/keepalived"});
  if (keepalived.empty()) GTEST_SKIP() << "keepalived is not installed (scripts/install-deps.sh)";
  const testing::Rendered& r = testing::rendered(variant);
  std::string dir = testing::temporary_directory("keepalived");
  for (const char* node : {"micklethefickle", "cloudserver1", "cloudserver2"}) {
    std::string text = config_of(node, variant).content;
    if (variant == Variant::kKubeadmGuide)
      text = testing::replace_all(text, kScript, testing::written_path(r, node, kScript));
    text = testing::replace_all(text, kFitnessFile, dir + "/fitness");
    text = testing::replace_all(text, " eth0", " " + local_interface());
    std::string copy = dir + "/keepalived.conf";
    testing::write_text(copy, text);
    auto result = testing::run_program({keepalived, "-t", "-f", copy, "-l"});
    EXPECT_TRUE(result.succeeded()) << node << ": " << result.out << result.err << text;
    EXPECT_EQ(result.out + result.err, "") << node;  // not even a warning
  }
}

TEST(KeepalivedTest, ConfigIsValidForKeepalived) { expect_valid_for_keepalived(Variant::kVip); }

TEST(KeepalivedTest, TheKubeadmGuidesConfigIsValidForKeepalived) {
  expect_valid_for_keepalived(Variant::kKubeadmGuide);
}

TEST(KeepalivedTest, EveryHolderIsANonPreemptingBackupWithItsOwnPriority) {
  for (const char* node : {"micklethefickle", "cloudserver1", "cloudserver2"}) {
    const std::string& text = config_of(node).content;
    for (const char* line :
         {"state BACKUP", "nopreempt", "advert_int 0.2\n", "198.18.7.100/24 dev eth0",
          "track_file {\n    check_local_api", "file \"/run/zerospof-vip-fitness\"", "init_file 1"})
      EXPECT_NE(text.find(line), std::string::npos) << node << ": " << line;
    EXPECT_EQ(text.find("MASTER"), std::string::npos);
  }
  // Priorities apart, in plan order, so that one backup claims the VIP first.
  EXPECT_NE(config_of("micklethefickle").content.find("priority 150\n"), std::string::npos);
  EXPECT_NE(config_of("cloudserver1").content.find("priority 100\n"), std::string::npos);
  EXPECT_NE(config_of("cloudserver2").content.find("priority 50\n"), std::string::npos);
  // Unicast to the two others, from its own address.
  const std::string& text = config_of("cloudserver1").content;
  EXPECT_NE(text.find("unicast_src_ip 198.18.7.12"), std::string::npos);
  EXPECT_NE(text.find("unicast_peer {\n    198.18.7.11\n    198.18.7.13\n  }"), std::string::npos)
      << text;
  EXPECT_EQ(testing::find_file(testing::rendered().bundle, "blackboar", layout::kKeepalivedConfig),
            nullptr);
}

// Debian's unit leaves a killed keepalived dead, and the VIP on the node's interface beside the
// node that took it over; the drop-in starts it again in both tunings (a safety, not a tuning).
TEST(KeepalivedTest, EveryHolderRestartsAKilledKeepalived) {
  for (Variant variant : {Variant::kVip, Variant::kKubeadmGuide})
    for (const char* node : {"micklethefickle", "cloudserver1", "cloudserver2"}) {
      const File* drop_in =
          testing::find_file(testing::rendered(variant).bundle, node, layout::kKeepalivedDropIn);
      ASSERT_NE(drop_in, nullptr) << node;
      EXPECT_NE(drop_in->content.find("\n[Service]\nRestart=always\nRestartSec=1\n"),
                std::string::npos)
          << drop_in->content;
      // A drop-in of keepalived.service, not a unit of its own that apply would start.
      EXPECT_EQ(layout::unit_at(drop_in->path), "");
    }
  EXPECT_EQ(testing::find_file(testing::rendered().bundle, "blackboar", layout::kKeepalivedDropIn),
            nullptr);
}

TEST(KeepalivedTest, FitnessAsksTheLocalHaproxyForAnyReadyApiserverNeverTheVip) {
  // The fast profile keeps the VIP on a node whose HAProxy still routes: the whole backend's
  // status, not this node's own apiserver (whose death alone moved the VIP: 6 s of outage).
  const testing::Rendered& r = testing::rendered();
  const File* script = testing::find_file(r.bundle, "cloudserver2", kFitnessScript);
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->mode, 0755u);
  EXPECT_NE(script->content.find("/dev/tcp/127.0.0.1/8404"), std::string::npos);
  EXPECT_NE(script->content.find("reachable * 2 > total"), std::string::npos);
  EXPECT_NE(script->content.find("L4TOUT"), std::string::npos);
  EXPECT_NE(script->content.find("sleep 0.2"), std::string::npos);
  // The VIP appears once: to ask whether this node holds it (a holder debounces going unfit, a
  // backup does not), never to connect through it.
  const std::size_t vip = script->content.find("198.18.7.100");
  ASSERT_NE(vip, std::string::npos);
  EXPECT_EQ(script->content.find("198.18.7.100", vip + 1), std::string::npos);
  EXPECT_NE(script->content.find("ip -o addr show to 198.18.7.100"), std::string::npos);
  EXPECT_EQ(testing::find_file(r.bundle, "cloudserver2", kScript), nullptr);
  const File* unit =
      testing::find_file(r.bundle, "cloudserver2", layout::unit_path(layout::kVipFitnessUnit));
  ASSERT_NE(unit, nullptr);
  EXPECT_NE(unit->content.find(kFitnessScript), std::string::npos);
  std::string sh = testing::find_program({"/bin/bash"});
  auto syntax =
      testing::run_program({sh, "-n", testing::written_path(r, "cloudserver2", kFitnessScript)});
  EXPECT_TRUE(syntax.succeeded()) << syntax.err;
}

TEST(KeepalivedTest, TheKubeadmGuideChecksTheNodesOwnApiserverEveryThreeSecondsFallTen) {
  const testing::Rendered& r = testing::rendered(Variant::kKubeadmGuide);
  const File* script = testing::find_file(r.bundle, "cloudserver2", kScript);
  ASSERT_NE(script, nullptr);
  EXPECT_NE(script->content.find("$2 == \"cloudserver2\""), std::string::npos);
  const std::string& text = config_of("cloudserver2", Variant::kKubeadmGuide).content;
  for (const char* line : {"interval 3\n", "fall 10\n", "track_script", "advert_int 1\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line;
  EXPECT_EQ(
      testing::find_file(r.bundle, "cloudserver2", layout::unit_path(layout::kVipFitnessUnit)),
      nullptr);
}

// cloudserver2's rendered fitness loop as `dir`/fitness.sh, asking the stats page on loopback port
// `stats_port` and writing its verdict to `dir`/fitness.
void write_fitness_loop(const std::string& dir, int stats_port) {
  std::string script =
      testing::find_file(testing::rendered().bundle, "cloudserver2", kFitnessScript)->content;
  script = testing::replace_all(script, "8404", std::to_string(stats_port));
  // The rendered 0.4 s timeout is checked on its own (AFrozenHaproxy...): here it is 2 s, so that
  // a check slowed by this machine's load is not read as HAProxy gone and passes for the rule
  // under test.
  script = testing::replace_all(script, "timeout 0.4 bash", "timeout 2 bash");
  script = testing::replace_all(script, kFitnessFile, dir + "/fitness");
  testing::write_text(dir + "/fitness.sh", script, 0755);
}

// Polls `path` until it holds `expected` (bounded: about 10 s).
bool file_eventually_holds(const std::string& path, const std::string& expected) {
  for (int i = 0; i < 100; ++i) {
    if (util::read_file(path).value_or("") == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The rendered HAProxy of cloudserver2 on loopback ports with one backend: a TLS server with the
// rendered apiserver certificate, answering /readyz as its apiserver would; and the rendered
// fitness loop asking that HAProxy.
class LoopbackHaproxy {
 public:
  // `check_ca`: the CA HAProxy's checks verify the apiserver with (the cluster's, or another to
  // make every check fail while the apiserver still serves).
  explicit LoopbackHaproxy(const std::string& check_ca = "/etc/zerospof/pki/ca.crt") {
    haproxy_ = testing::find_program({"/usr/sbin/haproxy"});
    openssl_ = testing::find_program({"/usr/bin/openssl"});
    if (haproxy_.empty() || openssl_.empty()) return;
    const testing::Rendered& r = testing::rendered();
    auto written = [&](const std::string& path) { return testing::written_path(r, kNode, path); };
    api_ = testing::unclaimed_loopback_port();
    frontend_ = testing::unclaimed_loopback_port();
    int stats = testing::unclaimed_loopback_port();
    dir_ = testing::temporary_directory("tracking");
    std::string config = testing::find_file(r.bundle, kNode, layout::kHaproxyConfig)->content;
    config = testing::replace_all(config, "/etc/zerospof/pki/ca.crt", written(check_ca));
    config =
        testing::replace_all(config, "bind :6443", "bind 127.0.0.1:" + std::to_string(frontend_));
    // Only loopback: the other servers' lab addresses are not reachable from this namespace.
    config = testing::replace_all(config, "  server micklethefickle 198.18.7.11:6444\n", "");
    config = testing::replace_all(config, "  server cloudserver1 198.18.7.12:6444\n", "");
    config = testing::replace_all(config, "198.18.7.13:6444", "127.0.0.1:" + std::to_string(api_));
    config = testing::replace_all(config, "8404", std::to_string(stats));
    config = testing::replace_all(config, "/run/haproxy/admin.sock", dir_ + "/admin.sock");
    config_ = config;
    testing::write_text(dir_ + "/haproxy.cfg", config);
    write_fitness_loop(dir_, stats);
    cert_ = written("/etc/zerospof/pki/apiserver.crt");
    key_ = written("/etc/zerospof/pki/apiserver.key");
  }
  bool installed() const { return !haproxy_.empty() && !openssl_.empty(); }
  const std::string& config() const { return config_; }
  std::string fitness() const { return dir_ + "/fitness"; }
  std::string log(const std::string& name) const {
    return util::read_file(dir_ + "/" + name + ".log").value_or("");
  }
  void start_apiserver() {
    auto server =
        util::spawn_detached({openssl_, "s_server", "-quiet", "-www", "-accept",
                              "127.0.0.1:" + std::to_string(api_), "-cert", cert_, "-key", key_},
                             {dir_ + "/s_server.log"});
    ASSERT_TRUE(server);
    apiserver_.emplace(*server);
  }
  void stop_apiserver() { apiserver_.reset(); }
  void start_haproxy() {
    auto proxy = util::spawn_detached({haproxy_, "-db", "-f", dir_ + "/haproxy.cfg"},
                                      {dir_ + "/haproxy.log"});
    ASSERT_TRUE(proxy);
    haproxy_process_.emplace(*proxy);
  }
  void stop_haproxy() { haproxy_process_.reset(); }
  // SIGSTOP, then SIGCONT: `haproxy -db` is one process, so this freezes all of it.
  void freeze_haproxy(bool frozen) { ::kill(haproxy_process_->pid, frozen ? SIGSTOP : SIGCONT); }
  void start_fitness_loop() {
    auto loop = util::spawn_detached({"/bin/bash", dir_ + "/fitness.sh"}, {dir_ + "/fitness.log"});
    ASSERT_TRUE(loop);
    loop_.emplace(*loop);
  }
  // The apiserver, HAProxy and the fitness loop, until the loop calls the node fit.
  void start_until_fit() {
    start_apiserver();
    start_haproxy();
    start_fitness_loop();
    EXPECT_TRUE(file_eventually_holds(fitness(), "0\n")) << log("haproxy");
  }
  // A TLS client through HAProxy's frontend: the certificate the apiserver presented, or "" when
  // HAProxy routed it nowhere.
  std::string certificate_through_frontend() const {
    auto result =
        util::run({openssl_, "s_client", "-connect", "127.0.0.1:" + std::to_string(frontend_)},
                  {.timeout = std::chrono::seconds(5), .input = ""});
    if (!result) return "";
    auto begin = result->out.find("-----BEGIN CERTIFICATE-----");
    return begin == std::string::npos ? "" : result->out.substr(begin, 80);
  }

 private:
  static constexpr const char* kNode = "cloudserver2";
  std::string haproxy_, openssl_, dir_, config_, cert_, key_;
  int api_ = 0, frontend_ = 0;
  std::optional<testing::Stopper> apiserver_, haproxy_process_, loop_;
};

TEST(KeepalivedTest, FitnessFollowsWhetherHaproxyAnswersNotWhetherItsApiserversPass) {
  // Fit while HAProxy answers and reaches its apiserver host, whether that apiserver passes its
  // checks or not (every node's HAProxy sees the same apiservers: moving the VIP gains nothing);
  // unfit once HAProxy itself is gone. Each change is logged with its reason.
  LoopbackHaproxy proxy;
  if (!proxy.installed())
    GTEST_SKIP() << "haproxy or openssl is not installed (scripts/install-deps.sh)";
  proxy.start_until_fit();
  proxy.stop_apiserver();
  // Long enough for HAProxy to mark it down (three checks 0.2 s apart) and the loop to look twice.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(util::read_file(proxy.fitness()).value_or(""), "0\n") << proxy.log("fitness");
  proxy.stop_haproxy();
  EXPECT_TRUE(file_eventually_holds(proxy.fitness(), "1\n"));
  std::string log = proxy.log("fitness");
  EXPECT_NE(log.find("fit: HAProxy reaches 1 of 1 apiserver hosts, 1 pass their checks"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("unfit: HAProxy's stats page did not answer"), std::string::npos) << log;
}

TEST(KeepalivedTest, AFrozenHaproxyIsUnfitOnceItsStatsPageTimesOut) {
  // SIGSTOPped, HAProxy has its connections accepted by the kernel and answers none: only the
  // loop's timeout on the stats page (two check intervals, 0.4 s) tells it from a slow answer.
  // Without one the loop would wait for ever, and the VIP stay on a node that serves nothing.
  const std::string& script =
      testing::find_file(testing::rendered().bundle, "cloudserver2", kFitnessScript)->content;
  EXPECT_NE(script.find("timeout 0.4 bash -c"), std::string::npos) << script;
  EXPECT_NE(
      testing::find_file(testing::rendered(Variant::kKubeadmGuide).bundle, "cloudserver2", kScript)
          ->content.find("timeout 1 bash -c"),
      std::string::npos);
  LoopbackHaproxy proxy;
  if (!proxy.installed())
    GTEST_SKIP() << "haproxy or openssl is not installed (scripts/install-deps.sh)";
  proxy.start_until_fit();
  proxy.freeze_haproxy(true);
  bool unfit = file_eventually_holds(proxy.fitness(), "1\n");
  proxy.freeze_haproxy(false);
  EXPECT_TRUE(unfit) << proxy.log("fitness");
  EXPECT_NE(proxy.log("fitness").find("unfit: HAProxy's stats page did not answer"),
            std::string::npos)
      << proxy.log("fitness");
  // Thawed, it answers again and the node is fit once two checks agree.
  EXPECT_TRUE(file_eventually_holds(proxy.fitness(), "0\n")) << proxy.log("fitness");
}

TEST(KeepalivedTest, HaproxyRoutesToEveryApiserverWhenAllFailTheirChecks) {
  // Every check fails (HAProxy verifies the apiserver against another CA) while the apiserver
  // serves: the fast tuning's HAProxy still routes clients to it (fail open); the guide's setup,
  // kept as the guide writes it, has no such pool.
  LoopbackHaproxy proxy("/etc/zerospof/pki/etcd/ca.crt");
  if (!proxy.installed())
    GTEST_SKIP() << "haproxy or openssl is not installed (scripts/install-deps.sh)";
  proxy.start_apiserver();
  proxy.start_haproxy();
  std::string certificate;
  for (int i = 0; i < 50 && certificate.empty(); ++i) {  // bounded: HAProxy takes a moment
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    certificate = proxy.certificate_through_frontend();
  }
  EXPECT_FALSE(certificate.empty()) << proxy.log("haproxy");
  // Routed although HAProxy had marked its only apiserver down.
  EXPECT_NE(proxy.log("haproxy").find("has no server available"), std::string::npos)
      << proxy.log("haproxy");
  std::string guide = testing::find_file(testing::rendered(Variant::kKubeadmGuide).bundle,
                                         "cloudserver2", layout::kHaproxyConfig)
                          ->content;
  EXPECT_EQ(guide.find("unchecked"), std::string::npos) << guide;
}

TEST(KeepalivedTest, FitnessNeedsAMajorityOfApiserverHostsReachable) {
  // HAProxy's stats as a holder cut off in a minority sees them: its own apiserver UP, the two
  // others timed out at the TCP level (L4TOUT). Served by a plain HTTP server on loopback as
  // HAProxy's stats page; the loop must call that unfit, and fit once one of them answers again
  // even with its apiserver dead (refused, L4CON).
  std::string python = testing::find_program({"/usr/bin/python3"});
  if (python.empty()) GTEST_SKIP() << "python3 is not installed";
  std::string dir = testing::temporary_directory("majority");
  std::string header =
      "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,"
      "wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,"
      "throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status\n";
  auto row = [](const std::string& server, const std::string& status, const std::string& check) {
    return "kube-apiservers," + server + ",0,0,0,0,,0,0,0,,0,,0,0,0,0," + status +
           ",1,1,0,0,0,0,0,,1,3,1,,0,,2,0,,0," + check + "\n";
  };
  // The three apiserver hosts as this holder sees them, by the check of each.
  auto stats = [&](const std::string& mickle, const std::string& cloud1,
                   const std::string& cloud2) {
    return header + row("micklethefickle", "DOWN", mickle) + row("cloudserver1", "DOWN", cloud1) +
           row("cloudserver2", "UP", cloud2) + row("BACKEND", "UP", "");
  };
  std::string minority = stats("L4TOUT", "L4TOUT", "L7OK");
  testing::write_text(dir + "/stats;csv", minority);
  int port = testing::unclaimed_loopback_port();
  auto server = util::spawn_detached({python, "-m", "http.server", "--bind", "127.0.0.1",
                                      "--directory", dir, std::to_string(port)},
                                     {dir + "/server.log"});
  ASSERT_TRUE(server);
  testing::Stopper server_stopper{*server};
  write_fitness_loop(dir, port);
  auto loop = util::spawn_detached({"/bin/bash", dir + "/fitness.sh"}, {dir + "/fitness.log"});
  ASSERT_TRUE(loop);
  testing::Stopper loop_stopper{*loop};
  EXPECT_TRUE(file_eventually_holds(dir + "/fitness", "1\n"));
  testing::write_text(dir + "/stats;csv", stats("L4CON", "L4TOUT", "L7OK"));
  EXPECT_TRUE(file_eventually_holds(dir + "/fitness", "0\n"))
      << util::read_file(dir + "/server.log").value_or("");
  // Mid-check HAProxy shows the last result behind "* ". With 0.2 s checks a host that times out
  // is nearly always mid-check: read as reachable, it kept an isolated holder fit and the VIP on
  // it through a whole drill fault (seen on the lab, DrillTest's isolated primary).
  testing::write_text(dir + "/stats;csv", stats("* L4TOUT", "* L4TOUT", "* L7OK"));
  EXPECT_TRUE(file_eventually_holds(dir + "/fitness", "1\n"))
      << util::read_file(dir + "/fitness.log").value_or("");

  // Unfit is written at the first check that says so, fit only once two agree: with the checks
  // 30 s apart, a loop started on minority stats writes 1 at once, and one started on healthy
  // stats writes nothing before its second check. (A cut-off backup must go FAULT before its
  // master-down timer of about three adverts lets it claim the VIP: found by the drill's splits.)
  std::string slow = testing::replace_all(util::read_file(dir + "/fitness.sh").value_or(""),
                                          "sleep 0.2", "sleep 30");
  slow = testing::replace_all(slow, dir + "/fitness", dir + "/slow-fitness");
  ASSERT_NE(slow.find("sleep 30"), std::string::npos);
  testing::write_text(dir + "/slow.sh", slow, 0755);
  testing::write_text(dir + "/stats;csv", minority);
  auto first_unfit = util::spawn_detached({"/bin/bash", dir + "/slow.sh"}, {dir + "/slow.log"});
  ASSERT_TRUE(first_unfit);
  {
    testing::Stopper stopper{*first_unfit};
    EXPECT_TRUE(file_eventually_holds(dir + "/slow-fitness", "1\n"));
  }
  testing::write_text(dir + "/stats;csv", header + row("micklethefickle", "UP", "L7OK") +
                                              row("cloudserver1", "UP", "L7OK") +
                                              row("cloudserver2", "UP", "L7OK") +
                                              row("BACKEND", "UP", ""));
  std::filesystem::remove(dir + "/slow-fitness");
  auto first_fit = util::spawn_detached({"/bin/bash", dir + "/slow.sh"}, {dir + "/slow.log"});
  ASSERT_TRUE(first_fit);
  testing::Stopper stopper{*first_fit};
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_FALSE(std::filesystem::exists(dir + "/slow-fitness"));
}

// The fast tuning's holder repeats its gratuitous ARP every second; the guide's setup is kept as
// the guide writes it.
TEST(KeepalivedTest, TheFastHolderRepeatsItsGratuitousArpEverySecond) {
  const testing::Rendered& r = testing::rendered();
  std::string config =
      testing::find_file(r.bundle, "cloudserver2", layout::kKeepalivedConfig)->content;
  EXPECT_NE(config.find("  garp_master_refresh 1\n  garp_master_refresh_repeat 1\n"),
            std::string::npos)
      << config;
}

// The fast tuning's VRRP process is scheduled in real time, so that its adverts every 0.2 s keep
// their pace on a saturated host; keepalived checks the setting when it loads the config
// (ConfigIsValidForKeepalived). The guide's setup is kept as the guide writes it.
TEST(KeepalivedTest, TheFastVrrpProcessRunsInRealTime) {
  EXPECT_NE(config_of("cloudserver2").content.find("\n  vrrp_rt_priority 50\n"), std::string::npos);
  EXPECT_EQ(config_of("cloudserver2", Variant::kKubeadmGuide).content.find("vrrp_rt_priority"),
            std::string::npos);
}

}  // namespace
}  // namespace zerospof::render
