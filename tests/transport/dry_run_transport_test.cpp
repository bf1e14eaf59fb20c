// DryRunTransport: describes commands and writes without doing them, reads through.
#include "transport/dry_run_transport.h"

#include <gtest/gtest.h>

#include "support/recording_transport.h"
#include "transport/routing_transport.h"

namespace zerospof::transport {
namespace {

TEST(DryRunTransportTest, DescribesWritesAndCommandsWithoutContentAndReadsTheRealHost) {
  testing::RecordingTransport real;
  ASSERT_TRUE(real.put_file("h", {"/present", "x", 0644}));
  std::vector<std::string> lines;
  DryRunTransport dry(real, [&](const std::string& line) { lines.push_back(line); });
  ASSERT_TRUE(dry.put_file("h", {"/etc/secret.key", "PRIVATE KEY", 0600}));
  ASSERT_TRUE(dry.run("", {.script = "systemctl restart x"}));
  EXPECT_EQ(dry.get_file("h", "/present").value(), std::optional<std::string>("x"));
  EXPECT_EQ(lines, (std::vector<std::string>{"would write h:/etc/secret.key (11 bytes, mode 0600)",
                                             "would run on this machine: systemctl restart x"}));
  EXPECT_EQ(real.calls_of("put"), std::vector<std::string>{"h: /present"});
  EXPECT_EQ(real.calls_of("run"), std::vector<std::string>{});
}

TEST(RoutingTransportTest, SendsTheOperatorsHostToLocalAndTheRestToRemote) {
  testing::RecordingTransport remote, local;
  RoutingTransport routing(remote, local);
  ASSERT_TRUE(routing.run("", {.script = "a"}));
  ASSERT_TRUE(routing.run("n1", {.script = "b"}));
  EXPECT_EQ(local.calls_of("run"), std::vector<std::string>{": a"});
  EXPECT_EQ(remote.calls_of("run"), std::vector<std::string>{"n1: b"});
}

}  // namespace
}  // namespace zerospof::transport
