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
  EXPECT_NE(script->content.find("https://127.0.0.1:6443/readyz"), std::string::npos);
  EXPECT_NE(script->content.find("https://127.0.0.1:6444/readyz"), std::string::npos);
  EXPECT_EQ(script->content.find("198.18.7.100"), std::string::npos);
  std::string sh = testing::find_program({"/bin/sh"});
  auto syntax = testing::run_program(
      {sh, "-n", testing::written_path(testing::rendered(), "cloudserver2", kScript)});
  EXPECT_TRUE(syntax.succeeded()) << syntax.err;
}

}  // namespace
}  // namespace zerospof::render
