// host_state: the parser of what the status script prints on a host (canned text as a Debian 12
// host prints it), and the script's shape.
#include "observe/host_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <thread>

#include "support/rooted_transport.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::observe {
namespace {

const char* kPrinted =
    "@zerospof units\n"
    "Id=zerospof-etcd.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n"
    "NRestarts=0\n\n"
    "Id=zerospof-kube-apiserver.service\nLoadState=loaded\nActiveState=failed\n"
    "UnitFileState=enabled\nNRestarts=7\n\n"
    "Id=zerospof-kubelet.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n"
    "NRestarts=0\n\n"
    "Id=haproxy.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n"
    "NRestarts=0\n\n"
    "Id=keepalived.service\nLoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n"
    "NRestarts=0\n\n"
    "@zerospof vip\n"
    "yes\n"
    "@zerospof haproxy\n"
    "HTTP/1.1 200 OK\n"
    "content-type: text/plain\n"
    "\n"
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,"
    "wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,"
    "lbtot,tracked,type,rate,rate_lim,rate_max,check_status,\n"
    "kube-apiserver,FRONTEND,,,0,3,4096,10,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,3,,\n"
    "kube-apiservers,micklethefickle,0,0,0,1,,5,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,9,0,,1,3,1,,5,,2,0,,"
    "1,L7OK,\n"
    "kube-apiservers,cloudserver1,0,0,0,1,,5,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,2,2,,1,3,2,,5,,2,0,,"
    "1,L4CON,\n"
    "kube-apiservers,BACKEND,0,0,0,1,410,10,0,0,0,0,,0,0,0,0,UP,2,2,0,,0,9,0,,1,3,0,,10,,1,0,,3,,\n"
    "@zerospof certificates\n"
    "@file /etc/zerospof/pki/apiserver.crt\n"
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdjCCAR2gAwIBAgIUNxKCVbCfB+Ukf5rXemzpwMYVKpswCgYIKoZIzj0EAwIw\n"
    "ETEPMA0GA1UEAwwGY2FubmVkMB4XDTI2MTIwNjAxNTY0MloXDTM2MTIwMzAxNTY0\n"
    "MlowETEPMA0GA1UEAwwGY2FubmVkMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
    "/Z/69g2tr80q+4dNUUcnVV3Xc/3PERFOIz/rO4vUpKw8oMgFT/vafzCYlptJ0J6J\n"
    "IGLxWbAtIuSFiIj+sgZadqNTMFEwHQYDVR0OBBYEFHyFG8ibV2At2FV+O2wTBS/f\n"
    "P5ulMB8GA1UdIwQYMBaAFHyFG8ibV2At2FV+O2wTBS/fP5ulMA8GA1UdEwEB/wQF\n"
    "MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIge1EUjqbx382PceniHFs3zZIWrdAPOqzW\n"
    "dh1VfYqmQi4CIERGBDKvJNBziDv9uN01Tl2PrgyhAijIkR44x1Vr6SEP\n"
    "-----END CERTIFICATE-----\n"
    "@file /etc/zerospof/pki/garbage.crt\n"
    "garbage line\n"
    "@file /etc/zerospof/kubeconfig/scheduler.conf\n"
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkakNDQVIyZ0F3SUJBZ0lVTnhLQ1ZiQ2ZCK1VrZjVyWGVtenB3TV"
    "lWS3Bzd0NnWUlLb1pJemowRUF3SXcKRVRFUE1BMEdBMVVFQXd3R1kyRnVibVZrTUI0WERUSTJNVEl3TmpBeE5UWTBNbG9Y"
    "RFRNMk1USXdNekF4TlRZMApNbG93RVRFUE1BMEdBMVVFQXd3R1kyRnVibVZrTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJem"
    "owREFRY0RRZ0FFCi9aLzY5ZzJ0cjgwcSs0ZE5VVWNuVlYzWGMvM1BFUkZPSXovck80dlVwS3c4b01nRlQvdmFmekNZbHB0"
    "SjBKNkoKSUdMeFdiQXRJdVNGaUlqK3NnWmFkcU5UTUZFd0hRWURWUjBPQkJZRUZIeUZHOGliVjJBdDJGVitPMndUQlMvZg"
    "pQNXVsTUI4R0ExVWRJd1FZTUJhQUZIeUZHOGliVjJBdDJGVitPMndUQlMvZlA1dWxNQThHQTFVZEV3RUIvd1FGCk1BTUJB"
    "Zjh3Q2dZSUtvWkl6ajBFQXdJRFJ3QXdSQUlnZTFFVWpxYngzODJQY2VuaUhGczN6WklXcmRBUE9xelcKZGgxVmZZcW1RaT"
    "RDSUVSR0JES3ZKTkJ6aUR2OXVOMDFUbDJQcmd5aEFpaklrUjQ0eDFWcjZTRVAKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0t"
    "LQo=\n"
    "@file /etc/zerospof/kubeconfig/scheduler.conf\n"
    "bm90IGEgY2VydGlmaWNhdGU=\n";

// The canned certificate's notAfter (Dec  3 01:56:42 2036 GMT).
constexpr std::int64_t kCannedNotAfter = 2111882202;

TEST(HostStateTest, ParsesUnitsOfLoadedUnitsOnly) {
  HostState state = parse_host_state(kPrinted);
  EXPECT_TRUE(state.reachable);
  ASSERT_EQ(state.units.size(), 4u);  // kubelet is not installed here
  EXPECT_EQ(state.units[0].unit, "zerospof-etcd.service");
  EXPECT_EQ(state.units[0].active, "active");
  EXPECT_TRUE(state.units[0].enabled);
  EXPECT_EQ(state.units[1].active, "failed");
  EXPECT_EQ(state.units[1].restarts, 7);
  EXPECT_FALSE(state.units[3].enabled);  // keepalived installed but not configured here
}

TEST(HostStateTest, ParsesTheVipAndHaproxysApiserverBackendsOnly) {
  HostState state = parse_host_state(kPrinted);
  EXPECT_TRUE(state.holds_vip);
  EXPECT_TRUE(state.haproxy_answered);
  ASSERT_EQ(state.backends.size(), 2u);
  EXPECT_EQ(state.backends[0].server, "micklethefickle");
  EXPECT_EQ(state.backends[0].status, "UP");
  EXPECT_EQ(state.backends[0].check, "L7OK");
  EXPECT_EQ(state.backends[1].status, "DOWN");
  EXPECT_EQ(state.backends[1].check, "L4CON");
}

// A PEM file and a kubeconfig's base64 field are read alike; a file with no certificate is
// skipped, and a kubeconfig's second user does not count twice.
TEST(HostStateTest, ParsesCertificateExpiriesAndSkipsWhatIsNotOne) {
  HostState state = parse_host_state(kPrinted);
  ASSERT_EQ(state.certificates.size(), 2u);
  EXPECT_EQ(state.certificates[0].path, "/etc/zerospof/pki/apiserver.crt");
  EXPECT_EQ(state.certificates[0].not_after, kCannedNotAfter);
  EXPECT_EQ(state.certificates[1].path, "/etc/zerospof/kubeconfig/scheduler.conf");
  EXPECT_EQ(state.certificates[1].not_after, kCannedNotAfter);
}

TEST(HostStateTest, AnAnswerWithoutSectionsIsNotAReachableHost) {
  HostState state = parse_host_state("bash: systemctl: command not found\n");
  EXPECT_FALSE(state.reachable);
  EXPECT_FALSE(state.error.empty());
  HostState stopped = parse_host_state("@zerospof units\n@zerospof vip\n@zerospof haproxy\n");
  EXPECT_TRUE(stopped.reachable);
  EXPECT_FALSE(stopped.haproxy_answered);  // HAProxy down: no CSV
  EXPECT_TRUE(stopped.backends.empty());
}

TEST(HostStateTest, TheScriptAsksEveryUnitAndTheVipQuoted) {
  std::string script = host_state_script("198.18.0.100");
  for (const auto& unit : observed_units()) EXPECT_NE(script.find(unit), std::string::npos);
  EXPECT_NE(script.find("grep -qF ' 198.18.0.100/'"), std::string::npos) << script;
  EXPECT_EQ(host_state_script("").find("ip -o addr"), std::string::npos);
}

// A transport that answers every host with a healthy unit after a moment, counting how many
// questions are in flight at once.
class CountingTransport : public transport::Transport {
 public:
  util::Result<transport::CommandResult> run(const std::string& host,
                                             const transport::Command&) override {
    int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --in_flight;
    if (host == "node-7") return util::fail(util::Error::unavailable("ssh: timed out"));
    return transport::CommandResult{
        .exit_code = 0,
        .out = "@zerospof units\nId=zerospof-kwok.service\nLoadState=loaded\nActiveState=active\n"};
  }
  util::Status put_file(const std::string&, const transport::FileSpec&) override { return {}; }
  util::Result<std::optional<std::string>> get_file(const std::string&,
                                                    const std::string&) override {
    return std::optional<std::string>{};
  }
  std::atomic<int> in_flight{0}, most{0};
};

TEST(HostStateTest, HostsAreAskedABoundedNumberAtATimeAndReportedInPlanOrder) {
  model::Cluster cluster;
  for (int i = 0; i < 100; ++i) cluster.nodes.push_back({.name = "node-" + std::to_string(i)});
  CountingTransport transport;
  auto states = observe_hosts(cluster, transport, std::chrono::milliseconds(1000));
  ASSERT_EQ(states.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(states[i].node, "node-" + std::to_string(i));
  EXPECT_LE(transport.most.load(), static_cast<int>(kHostsAtOnce));
  EXPECT_GT(transport.most.load(), 1);  // still in parallel
  EXPECT_FALSE(states[7].reachable);
  EXPECT_EQ(states[7].error, "ssh: timed out");
  EXPECT_TRUE(states[8].reachable);
  ASSERT_EQ(states[8].units.size(), 1u);
}

// The script itself, on a directory standing in for a host: a certificate below the PKI
// directory and one embedded in a kubeconfig, each read back with its expiry (find, sort, xargs
// and awk on this machine, as on a Debian host). No key is ever printed.
TEST(HostStateTest, TheScriptReadsEveryCertificatesExpiryAndNoKey) {
  namespace fs = std::filesystem;
  fs::path root = fs::path(::testing::TempDir()) / ("host-state-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "etc/zerospof/pki/etcd");
  fs::create_directories(root / "etc/zerospof/kubeconfig");
  auto made = util::run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:P-256", "-nodes", "-days", "10", "-subj", "/CN=test",
                         "-keyout", (root / "etc/zerospof/pki/etcd/server.key").string(), "-out",
                         (root / "etc/zerospof/pki/etcd/server.crt").string()},
                        {.timeout = std::chrono::seconds(30)});
  ASSERT_TRUE(made && made->exit_code == 0);
  auto encoded = util::run({"base64", "-w0", (root / "etc/zerospof/pki/etcd/server.crt").string()},
                           {.timeout = std::chrono::seconds(10)});
  ASSERT_TRUE(encoded && encoded->exit_code == 0);
  ASSERT_TRUE(util::write_file_atomic((root / "etc/zerospof/kubeconfig/scheduler.conf").string(),
                                      "users:\n- name: x\n  user:\n    client-certificate-data: " +
                                          encoded->out + "\n    client-key-data: c2VjcmV0\n",
                                      {.mode = 0600, .overwrite = true}));
  testing::RootedTransport host(root.string(), {"/etc/zerospof"});
  auto result =
      host.run("host", {.script = host_state_script(""), .timeout = std::chrono::seconds(30)});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out.find("c2VjcmV0"), std::string::npos);
  EXPECT_EQ(result->out.find("PRIVATE KEY"), std::string::npos);
  HostState state = parse_host_state(result->out);
  ASSERT_EQ(state.certificates.size(), 2u) << result->out;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  for (const auto& certificate : state.certificates) {
    EXPECT_NEAR(static_cast<double>(certificate.not_after - now) / 86400, 10, 0.01)
        << certificate.path;
  }
  EXPECT_EQ(state.certificates[0].path, (root / "etc/zerospof/pki/etcd/server.crt").string());
  EXPECT_EQ(state.certificates[1].path, (root / "etc/zerospof/kubeconfig/scheduler.conf").string());
  fs::remove_all(root);
}

}  // namespace
}  // namespace zerospof::observe
