// The health lanes: /readyz through a tunnel's socket, judged or not; a TCP lane against a
// listener of this test on 127.0.0.1 that closes in the middle; and the judge ignoring a lane
// that is for the timeline only.
#include "drill/health_probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "drill/judge.h"

namespace zerospof::drill {
namespace {

using std::chrono::milliseconds;

class ReadyzServer : public observe::HttpClient {
 public:
  observe::HttpResponse send(const observe::HttpRequest& request) override {
    last_socket = request.unix_socket;
    last_url = request.url;
    if (!ready) return {.status = 500, .body = "[-]etcd failed", .maybe_sent = true};
    return {.status = 200, .body = "ok", .maybe_sent = true};
  }
  std::atomic<bool> ready{true};
  std::string last_socket, last_url;
};

TEST(HealthProbeTest, AReadyzLaneAsksThroughTheTunnelAndRecordsWhenItWasNotReady) {
  ReadyzServer server;
  auto zero = std::chrono::steady_clock::now();
  HealthProbe probe(
      {readyz_lane(
          "readyz/cloudserver1", false, server,
          {.node = "cloudserver1", .url = "https://127.0.0.1:6443", .unix_socket = "/tmp/t3"})},
      {.interval = milliseconds(20), .timeout = milliseconds(100)}, zero);
  probe.start();
  std::this_thread::sleep_for(milliseconds(150));
  server.ready = false;
  std::this_thread::sleep_for(milliseconds(150));
  server.ready = true;
  std::this_thread::sleep_for(milliseconds(150));
  probe.stop();
  EXPECT_EQ(server.last_socket, "/tmp/t3");
  EXPECT_EQ(server.last_url, "https://127.0.0.1:6443/readyz");
  auto records = probe.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].name, "readyz/cloudserver1");
  EXPECT_FALSE(records[0].judged);
  EXPECT_GE(records[0].failed, 3u);
  EXPECT_GE(records[0].ok, 6u);
  EXPECT_EQ(records[0].causes.begin()->first, "HTTP 500");
}

TEST(HealthProbeTest, ATcpLaneSeesAListenerGoAway) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {htonl(INADDR_LOOPBACK)}};
  bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size);
  listen(listener, 64);
  auto zero = std::chrono::steady_clock::now();
  HealthProbe probe({tcp_lane("endpoint-tcp", "127.0.0.1", ntohs(address.sin_port))},
                    {.interval = milliseconds(20), .timeout = milliseconds(100)}, zero);
  probe.start();
  std::this_thread::sleep_for(milliseconds(150));
  close(listener);
  std::this_thread::sleep_for(milliseconds(150));
  probe.stop();
  ProbeRecord record = probe.records().at(0);
  EXPECT_TRUE(record.judged);
  EXPECT_GE(record.ok, 3u);
  EXPECT_GE(record.causes["TCP connect refused"], 3u);
}

TEST(HealthProbeTest, TheJudgeIgnoresALaneForTheTimelineOnly) {
  ScenarioResult result{.healthy_ms = 5000,
                        .linearizable = true,
                        .failover_path_seen = true,
                        .etcd_hashes_equal = true};
  ProbeRecord down{.name = "readyz/cloudserver1", .unavailable_ms = 9000, .judged = false};
  result.probes = {down};
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kPass);
  result.probes[0].judged = true;
  EXPECT_EQ(judge(result, 1000).verdict, Verdict::kFail);
}

}  // namespace
}  // namespace zerospof::drill
