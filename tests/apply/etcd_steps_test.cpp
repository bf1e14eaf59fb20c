// The quorum-aware etcd restart, run for real: a shell against a directory standing in for the
// host, a fake etcdctl that reports which members are healthy, a fake systemctl that records
// what it was asked, and a loopback listener standing in for every member's client port.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "apply/steps.h"
#include "support/rooted_transport.h"
#include "support/test_plans.h"
#include "util/files.h"

namespace zerospof::apply {
namespace {

class EtcdRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "etcd-restart-" + std::to_string(getpid());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ + "/usr/local/bin");
    std::filesystem::create_directories(root_ + "/bin");
    ASSERT_TRUE(util::write_file_atomic(root_ + "/bin/systemctl",
                                        "#!/bin/sh\necho \"$@\" >> " + root_ + "/systemctl.log\n",
                                        {.mode = 0755}));
    // One IPv6 socket that also takes IPv4 answers on 127.0.0.1-3 and ::1 alike.
    listener_ = ::socket(AF_INET6, SOCK_STREAM, 0);
    ASSERT_GE(listener_, 0);
    int no = 0;
    ::setsockopt(listener_, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_any;
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener_, 16), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin6_port);
  }
  void TearDown() override {
    ::close(listener_);
    std::filesystem::remove_all(root_);
  }

  EtcdAccess access(const std::vector<std::string>& hosts) const {
    EtcdAccess result{.ca = "/ca", .cert = "/cert", .key = "/key"};
    for (const auto& host : hosts)
      result.endpoints.push_back("https://" + host + ":" + std::to_string(port_));
    return result;
  }

  // etcdctl answers that exactly `healthy` (endpoints) are healthy.
  void report_healthy(const EtcdAccess& access, const std::set<std::string>& healthy) const {
    std::string script = "#!/bin/sh\n";
    for (const auto& endpoint : access.endpoints)
      script += "echo '" + endpoint +
                (healthy.count(endpoint) ? " is healthy: successfully committed proposal'\n"
                                         : " is unhealthy: failed to commit proposal'\n");
    script += healthy.size() == access.endpoints.size() ? "exit 0\n" : "exit 1\n";
    ASSERT_TRUE(util::write_file_atomic(root_ + "/usr/local/bin/etcdctl", script,
                                        {.mode = 0755, .overwrite = true}));
  }

  // Runs the restart of the member at `endpoint`; returns what systemctl was asked.
  std::string restart(const EtcdAccess& access, const std::string& endpoint,
                      transport::CommandResult* result = nullptr) const {
    testing::RootedTransport host(root_, {"/usr/local/bin"});
    auto ran =
        host.run("member", {.script = "PATH=" + root_ + "/bin:$PATH; " +
                                      etcd_restart_script(access, endpoint, "etcd.service")});
    EXPECT_TRUE(ran.has_value());
    if (result && ran) *result = *ran;
    auto log = util::read_file(root_ + "/systemctl.log").value_or("");
    std::filesystem::remove(root_ + "/systemctl.log");
    return log;
  }

  std::string root_;
  int listener_ = -1;
  int port_ = 0;
};

TEST_F(EtcdRestartTest, WithTwoOfThreeHealthyAHealthyMemberIsNotRestarted) {
  EtcdAccess three = access({"127.0.0.1", "127.0.0.2", "127.0.0.3"});
  report_healthy(three, {three.endpoints[0], three.endpoints[1]});
  transport::CommandResult result;
  EXPECT_EQ(restart(three, three.endpoints[0], &result), "");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("would lose quorum"), std::string::npos) << result.err;
  // The unhealthy member itself may restart: the other two keep the quorum.
  EXPECT_EQ(restart(three, three.endpoints[2]), "restart etcd.service\n");
}

TEST_F(EtcdRestartTest, WithAllHealthyAMemberRestartsAndIsWaitedFor) {
  EtcdAccess three = access({"127.0.0.1", "127.0.0.2", "127.0.0.3"});
  report_healthy(three, {three.endpoints.begin(), three.endpoints.end()});
  EXPECT_EQ(restart(three, three.endpoints[1]), "restart etcd.service\n");
}

TEST_F(EtcdRestartTest, TheFirstStartDoesNotWaitForPeersThatAreNotUpYet) {
  EtcdAccess three = access({"127.0.0.1", "127.0.0.2", "127.0.0.3"});
  report_healthy(three, {});
  EXPECT_EQ(restart(three, three.endpoints[0]), "restart --no-block etcd.service\n");
}

TEST_F(EtcdRestartTest, AnIPv6MemberIsReachedThroughItsBracketedEndpoint) {
  // The third member is down (nothing listens on port 1): the quorum of open client ports is
  // reached only if the IPv6 member's port is reached.
  EtcdAccess three = access({"[::1]", "127.0.0.2"});
  three.endpoints.push_back("https://127.0.0.3:1");
  report_healthy(three, {three.endpoints[0], three.endpoints[1]});
  EXPECT_EQ(restart(three, three.endpoints[2]), "restart etcd.service\n");
}

TEST(EtcdAccessTest, IPv6EndpointsAreBracketedAsRenderWritesThem) {
  model::Cluster cluster = zerospof::testing::load_plan(zerospof::testing::addressed_plan());
  auto members = cluster.nodes_with_role(model::Role::kEtcd);
  ASSERT_FALSE(members.empty());
  int last_byte = 0x11;
  for (auto& node : cluster.nodes)
    node.address = model::Cidr::parse(fmt::format("fd00::{:x}/64", last_byte++), true);
  render::Bundle bundle;
  bundle.index.hosts.push_back(
      {.host = members.front()->name,
       .units = {
           {.unit = "zerospof-kube-apiserver.service",
            .program = "kube-apiserver",
            .flags = {{"etcd-cafile", "/ca"}, {"etcd-certfile", "/c"}, {"etcd-keyfile", "/k"}}}}});
  auto access = etcd_access(cluster, bundle);
  ASSERT_TRUE(access) << util::format_error(access.error());
  ASSERT_EQ(access->endpoints.size(), members.size());
  for (const auto& endpoint : access->endpoints) {
    EXPECT_EQ(endpoint.rfind("https://[fd00::", 0), 0u) << endpoint;
    EXPECT_EQ(endpoint.substr(endpoint.size() - 6), "]:2379") << endpoint;
  }
  EXPECT_EQ(endpoint_of(*access, members.front()->name), access->endpoints.front());
  EXPECT_EQ(endpoint_of(*access, "not-a-member"), "");
}

}  // namespace
}  // namespace zerospof::apply
