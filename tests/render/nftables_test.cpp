// The host firewall, checked by nft itself (-c: parse and evaluate without applying), and the
// ports each role opens to exactly the nodes that need them.
#include <gtest/gtest.h>
#include <unistd.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

const std::string& rules_of(testing::Variant variant, const std::string& node) {
  const File* file =
      testing::find_file(testing::rendered(variant).bundle, node, layout::kNftablesConfig);
  EXPECT_NE(file, nullptr) << node;
  static const std::string none;
  return file ? file->content : none;
}

// A minimal host (the lab's image, a cloud image without netbase) has no /etc/protocols, and nft
// resolves protocol names through it: the rules must hold without it. As root the check runs
// in a mount namespace of its own where /etc/protocols is empty.
std::vector<std::string> nft_check_command(const std::string& nft, const std::string& file) {
  if (geteuid() != 0) return {nft, "-c", "-f", file};
  return {"/usr/bin/unshare",
          "--mount",
          "--",
          "/bin/sh",
          "-c",
          "mount --bind /dev/null /etc/protocols && exec \"$0\" -c -f \"$1\"",
          nft,
          file};
}

TEST(NftablesTest, EveryNodesRulesAreValidForNftWithoutEtcProtocols) {
  std::string nft = testing::find_program({"/usr/sbin/nft"});
  if (nft.empty()) GTEST_SKIP() << "nft is not installed (scripts/install-deps.sh)";
  for (testing::Variant variant : {testing::Variant::kVip, testing::Variant::kLocalProxy}) {
    const testing::Rendered& r = testing::rendered(variant);
    for (const model::Node& node : r.cluster.nodes) {
      auto result = testing::run_program(
          nft_check_command(nft, testing::written_path(r, node.name, layout::kNftablesConfig)));
      EXPECT_TRUE(result.succeeded()) << node.name << ": " << result.err;
    }
  }
}

TEST(NftablesTest, EtcdPortsOpenOnlyToTheNodesThatNeedThem) {
  const std::string& etcd = rules_of(testing::Variant::kVip, "cloudserver1");
  EXPECT_NE(etcd.find("policy drop;"), std::string::npos);
  EXPECT_NE(etcd.find("ip saddr { 198.18.7.11, 198.18.7.12, 198.18.7.13 } tcp dport 2379 accept"),
            std::string::npos)
      << etcd;
  EXPECT_NE(etcd.find("ip saddr { 198.18.7.11, 198.18.7.12, 198.18.7.13 } tcp dport 2380 accept"),
            std::string::npos);
  EXPECT_NE(etcd.find("ip saddr { 198.18.7.11, 198.18.7.12, 198.18.7.13 } meta l4proto 112 accept"),
            std::string::npos);  // VRRP
  EXPECT_NE(etcd.find("tcp dport 6443 accept"), std::string::npos);
  const std::string& worker = rules_of(testing::Variant::kVip, "blackboar");
  for (const char* closed : {"2379", "2380", "l4proto 112", "dport 6443", "dport 6444"})
    EXPECT_EQ(worker.find(closed), std::string::npos) << closed;
  EXPECT_NE(worker.find("ip saddr { 198.18.7.11, 198.18.7.12, 198.18.7.13 } tcp dport 10250"),
            std::string::npos);
  EXPECT_NE(worker.find("tcp dport 179 accept"), std::string::npos);  // calico BGP
  EXPECT_NE(worker.find("iif \"lo\" accept"), std::string::npos);
  EXPECT_NE(worker.find("ct state established,related accept"), std::string::npos);
  EXPECT_NE(worker.find("tcp dport 22 accept"), std::string::npos);
}

TEST(NftablesTest, WithoutAVipTheApiserversThemselvesAnswerEveryClient) {
  // local-proxy mode: the operator's admin kubeconfig names an apiserver, not a VIP, so the
  // apiserver port must be open beyond the nodes; workers still open no control-plane port.
  const std::string& control = rules_of(testing::Variant::kLocalProxy, "cloudserver1");
  EXPECT_NE(control.find("\n    tcp dport 6444 accept\n"), std::string::npos) << control;
  EXPECT_EQ(control.find("l4proto 112"), std::string::npos);  // no VRRP without a VIP
  const std::string& worker = rules_of(testing::Variant::kLocalProxy, "blackboar");
  EXPECT_EQ(worker.find("dport 6444"), std::string::npos) << worker;
}

}  // namespace
}  // namespace zerospof::render
