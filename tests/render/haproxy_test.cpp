// HAProxy's configuration, checked by haproxy itself (-c), in both endpoint modes.
#include <gtest/gtest.h>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

using testing::Variant;

// haproxy -c opens the CA file named in the config: point it at the rendered copy.
void expect_valid(Variant variant, const std::string& node) {
  std::string haproxy = testing::find_program({"/usr/sbin/haproxy"});
  if (haproxy.empty()) GTEST_SKIP() << "haproxy is not installed (scripts/install-deps.sh)";
  const testing::Rendered& r = testing::rendered(variant);
  const File* config = testing::find_file(r.bundle, node, layout::kHaproxyConfig);
  ASSERT_NE(config, nullptr);
  std::string ca = testing::written_path(r, node, std::string(layout::kPkiDir) + "/ca.crt");
  std::string copy = testing::temporary_directory("haproxy") + "/haproxy.cfg";
  testing::write_text(
      copy, testing::replace_all(config->content, std::string(layout::kPkiDir) + "/ca.crt", ca));
  auto result = testing::run_program({haproxy, "-c", "-f", copy});
  EXPECT_TRUE(result.succeeded()) << result.out << result.err << config->content;
}

TEST(HaproxyTest, VipModeConfigIsValid) { expect_valid(Variant::kVip, "cloudserver1"); }

TEST(HaproxyTest, LocalProxyConfigIsValidOnAWorker) {
  expect_valid(Variant::kLocalProxy, "blackboar");
}

TEST(HaproxyTest, ChecksEveryApiserverOnReadyzWithTheClusterCa) {
  const File* config =
      testing::find_file(testing::rendered().bundle, "micklethefickle", layout::kHaproxyConfig);
  ASSERT_NE(config, nullptr);
  for (const char* line :
       {"option httpchk GET /readyz", "verify required ca-file /etc/zerospof/pki/ca.crt",
        "inter 200ms fall 3", "timeout check 200ms", "option redispatch 1", "timeout connect 400ms",
        "on-marked-down shutdown-sessions", "bind :6443", "server micklethefickle 198.18.7.11:6444",
        "server cloudserver1 198.18.7.12:6444", "server cloudserver2 198.18.7.13:6444"})
    EXPECT_NE(config->content.find(line), std::string::npos) << line;
  // Workers hold no VIP in vip mode: no HAProxy there.
  EXPECT_EQ(testing::find_file(testing::rendered().bundle, "blackboar", layout::kHaproxyConfig),
            nullptr);
}

TEST(HaproxyTest, LocalProxyListensOnLoopbackOfEveryNode) {
  const testing::Rendered& r = testing::rendered(Variant::kLocalProxy);
  for (const model::Node& node : r.cluster.nodes) {
    const File* config = testing::find_file(r.bundle, node.name, layout::kHaproxyConfig);
    ASSERT_NE(config, nullptr) << node.name;
    EXPECT_NE(config->content.find("bind 127.0.0.1:6443"), std::string::npos);
  }
}

}  // namespace
}  // namespace zerospof::render
