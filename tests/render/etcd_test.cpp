// The etcd members: three, mTLS on both ports, timings from the plan's tuning.
#include <gtest/gtest.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

const std::string kUnit = std::string(layout::kUnitDir) + "/" + layout::kEtcdUnit;

TEST(EtcdTest, ThreeMembersWithMutualTlsOnBothPorts) {
  const testing::Rendered& r = testing::rendered();
  const File* unit = testing::find_file(r.bundle, "cloudserver2", kUnit);
  ASSERT_NE(unit, nullptr);
  for (const char* flag :
       {"--name=cloudserver2", "--client-cert-auth=true", "--peer-client-cert-auth=true",
        "--initial-cluster=micklethefickle=https://198.18.7.11:2380,"
        "cloudserver1=https://198.18.7.12:2380,cloudserver2=https://198.18.7.13:2380",
        "--listen-client-urls=https://198.18.7.13:2379,https://127.0.0.1:2379",
        "--data-dir=/var/lib/etcd", "--heartbeat-interval=100", "--election-timeout=500",
        "--trusted-ca-file=/etc/zerospof/pki/etcd/ca.crt"})
    EXPECT_NE(unit->content.find(flag), std::string::npos) << flag;
  EXPECT_EQ(testing::find_file(r.bundle, "cloudserver3", kUnit), nullptr);
  const File* key = testing::find_file(r.bundle, "cloudserver2", "/etc/zerospof/pki/etcd/peer.key");
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(key->secret);
  EXPECT_EQ(key->mode, 0600u);
}

// etcd's tuning guide: a member keeps its heartbeats on a saturated host by having priority over
// what shares it (the unit's CPU weight on cgroup v2, its nice value among one cgroup's processes).
TEST(EtcdTest, TheMemberComesFirstOnABusyHost) {
  const File* unit = testing::find_file(testing::rendered().bundle, "micklethefickle", kUnit);
  ASSERT_NE(unit, nullptr);
  EXPECT_NE(unit->content.find("\nNice=-10\nCPUWeight=1000\n"), std::string::npos) << unit->content;
}

TEST(EtcdTest, TimingsFollowTheTuning) {
  std::string text = zerospof::testing::replace_once(
      zerospof::testing::addressed_plan(), "    serviceMesh: none\n",
      "    serviceMesh: none\n  tuning:\n    etcdHeartbeatInterval: 50ms\n"
      "    etcdElectionTimeout: 500ms\n");
  testing::Rendered r;
  r.cluster = zerospof::testing::load_plan(text);
  r.options = testing::rendered().options;  // same PKI: only the units change
  auto bundle = render(r.cluster, r.options);
  ASSERT_TRUE(bundle) << util::format_error(bundle.error());
  const File* unit = testing::find_file(*bundle, "micklethefickle", kUnit);
  ASSERT_NE(unit, nullptr);
  EXPECT_NE(unit->content.find("--heartbeat-interval=50 \\"), std::string::npos);
  EXPECT_NE(unit->content.find("--election-timeout=500 \\"), std::string::npos);
}

TEST(EtcdTest, RenderedMemberServesOnlyClientsWithItsCertificates) {
  // Given the rendered member running alone, the apiserver's etcd client certificate should be
  // accepted and a client without a certificate refused (--client-cert-auth).
  const testing::Rendered& r = testing::rendered();
  std::string etcdctl = testing::find_program({testing::kLabBinaries + "/etcdctl"});
  std::string dir = testing::temporary_directory("etcd-run");
  testing::RunningEtcd etcd;
  testing::start_etcd(r, dir, etcd);
  if (etcd.url.empty() || etcdctl.empty())
    GTEST_SKIP() << "no etcd/etcdctl in " << testing::kLabBinaries << " (lab/binaries/build.sh)";
  std::string pki = testing::written_path(r, "micklethefickle", "/etc/zerospof/pki");
  std::vector<std::string> health{etcdctl,
                                  "--endpoints=" + etcd.url,
                                  "--cacert=" + pki + "/etcd/ca.crt",
                                  "--dial-timeout=2s",
                                  "--command-timeout=2s",
                                  "endpoint",
                                  "health"};
  std::vector<std::string> with_cert = health;
  with_cert.insert(with_cert.begin() + 1, {"--cert=" + pki + "/apiserver-etcd-client.crt",
                                           "--key=" + pki + "/apiserver-etcd-client.key"});
  EXPECT_TRUE(testing::eventually(with_cert, true, 30)) << *util::read_file(dir + "/etcd.log");
  auto anonymous = testing::run_program(health);
  EXPECT_FALSE(anonymous.succeeded()) << anonymous.out;
}

}  // namespace
}  // namespace zerospof::render
