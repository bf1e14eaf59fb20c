// keepalived's configuration, checked by keepalived itself (`keepalived -t -f FILE -l`: in
// 2.2, --config-test=ARG names a log file, not the configuration), and the VRRP choices that
// make the VIP stable: all BACKUP, equal priority, nopreempt, local tracking, unicast peers.
#include <gtest/gtest.h>

#include <filesystem>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

const char* kScript = "/etc/keepalived/check-apiserver.sh";

const File& config_of(const std::string& node) {
  const File* config =
      testing::find_file(testing::rendered().bundle, node, layout::kKeepalivedConfig);
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

TEST(KeepalivedTest, ConfigIsValidForKeepalived) {
  std::string keepalived = testing::find_program({"/usr/sbin/keepalived"});
  if (keepalived.empty()) GTEST_SKIP() << "keepalived is not installed (scripts/install-deps.sh)";
  const testing::Rendered& r = testing::rendered();
  for (const char* node : {"micklethefickle", "cloudserver1", "cloudserver2"}) {
    std::string script = testing::written_path(r, node, kScript);
    std::string text = testing::replace_all(config_of(node).content, kScript, script);
    text = testing::replace_all(text, " eth0", " " + local_interface());
    std::string copy = testing::temporary_directory("keepalived") + "/keepalived.conf";
    testing::write_text(copy, text);
    auto result = testing::run_program({keepalived, "-t", "-f", copy, "-l"});
    EXPECT_TRUE(result.succeeded()) << node << ": " << result.out << result.err << text;
    EXPECT_EQ(result.out + result.err, "") << node;  // not even a warning
  }
}

TEST(KeepalivedTest, EveryHolderIsAnEqualNonPreemptingBackup) {
  for (const char* node : {"micklethefickle", "cloudserver1", "cloudserver2"}) {
    const std::string& text = config_of(node).content;
    for (const char* line : {"state BACKUP", "nopreempt", "priority 100", "advert_int 1\n",
                             "198.18.7.100/24 dev eth0", "track_script"})
      EXPECT_NE(text.find(line), std::string::npos) << node << ": " << line;
    EXPECT_EQ(text.find("MASTER"), std::string::npos);
  }
  // Unicast to the two others, from its own address.
  const std::string& text = config_of("cloudserver1").content;
  EXPECT_NE(text.find("unicast_src_ip 198.18.7.12"), std::string::npos);
  EXPECT_NE(text.find("unicast_peer {\n    198.18.7.11\n    198.18.7.13\n  }"), std::string::npos)
      << text;
  EXPECT_EQ(testing::find_file(testing::rendered().bundle, "blackboar", layout::kKeepalivedConfig),
            nullptr);
}

TEST(KeepalivedTest, TrackScriptChecksTheLocalNodeNeverTheVip) {
  const File* script = testing::find_file(testing::rendered().bundle, "cloudserver2", kScript);
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->mode, 0755u);
  EXPECT_NE(script->content.find("/dev/tcp/127.0.0.1/8404"), std::string::npos);
  EXPECT_NE(script->content.find("$2 == \"cloudserver2\""), std::string::npos);
  EXPECT_EQ(script->content.find("198.18.7.100"), std::string::npos);
  std::string sh = testing::find_program({"/bin/bash"});
  auto syntax = testing::run_program(
      {sh, "-n", testing::written_path(testing::rendered(), "cloudserver2", kScript)});
  EXPECT_TRUE(syntax.succeeded()) << syntax.err;
}

TEST(KeepalivedTest, TrackScriptFollowsHaproxysReadyzCheckOfTheLocalApiserver) {
  // Given the rendered HAProxy on loopback ports and a TLS server with the rendered apiserver
  // certificate answering /readyz as cloudserver2's apiserver, the rendered check script should
  // pass; once that "apiserver" stops, HAProxy marks it down and the script should fail.
  std::string haproxy = testing::find_program({"/usr/sbin/haproxy"});
  std::string openssl = testing::find_program({"/usr/bin/openssl"});
  if (haproxy.empty() || openssl.empty())
    GTEST_SKIP() << "haproxy or openssl is not installed (scripts/install-deps.sh)";
  const testing::Rendered& r = testing::rendered();
  const std::string node = "cloudserver2";
  auto written = [&](const std::string& path) { return testing::written_path(r, node, path); };
  int api = testing::free_port(), frontend = testing::free_port(), stats = testing::free_port();
  std::string dir = testing::temporary_directory("tracking");
  std::string config = testing::find_file(r.bundle, node, layout::kHaproxyConfig)->content;
  config =
      testing::replace_all(config, "/etc/zerospof/pki/ca.crt", written("/etc/zerospof/pki/ca.crt"));
  config = testing::replace_all(config, "bind :6443", "bind 127.0.0.1:" + std::to_string(frontend));
  config = testing::replace_all(config, "198.18.7.13:6444", "127.0.0.1:" + std::to_string(api));
  config = testing::replace_all(config, "8404", std::to_string(stats));
  config = testing::replace_all(config, "/run/haproxy/admin.sock", dir + "/admin.sock");
  testing::write_text(dir + "/haproxy.cfg", config);
  std::string script = testing::replace_all(testing::find_file(r.bundle, node, kScript)->content,
                                            "8404", std::to_string(stats));
  testing::write_text(dir + "/check.sh", script, 0755);

  auto server = util::spawn_detached(
      {openssl, "s_server", "-quiet", "-www", "-accept", "127.0.0.1:" + std::to_string(api),
       "-cert", written("/etc/zerospof/pki/apiserver.crt"), "-key",
       written("/etc/zerospof/pki/apiserver.key")},
      {dir + "/s_server.log"});
  ASSERT_TRUE(server);
  testing::Stopper server_stopper{*server};
  auto proxy =
      util::spawn_detached({haproxy, "-db", "-f", dir + "/haproxy.cfg"}, {dir + "/haproxy.log"});
  ASSERT_TRUE(proxy);
  testing::Stopper proxy_stopper{*proxy};
  EXPECT_TRUE(testing::eventually({"/bin/bash", dir + "/check.sh"}, true))
      << *util::read_file(dir + "/haproxy.log");
  ::kill(*server, SIGTERM);
  EXPECT_TRUE(testing::eventually({"/bin/bash", dir + "/check.sh"}, false));
}

}  // namespace
}  // namespace zerospof::render
