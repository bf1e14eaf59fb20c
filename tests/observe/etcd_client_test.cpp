// EtcdClient: the requests it sends to etcd's JSON gateway (paths, base64, the comparison of a
// compare-and-set, the tunnel's socket) and how it reads every kind of answer, against a
// recording HttpClient; and its calls end to end against InMemoryEtcd.
#include "observe/etcd_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "support/in_memory_etcd.h"
#include "util/base64.h"

namespace zerospof::observe {
namespace {

class ScriptedHttp : public HttpClient {
 public:
  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    return answer;
  }
  std::vector<HttpRequest> requests;
  HttpResponse answer{.status = 200, .body = R"({"header":{}})", .maybe_sent = true};
};

const ServerEndpoint kMember{
    .node = "cloudserver1", .url = "https://127.0.0.1:2379", .unix_socket = "/tmp/t1"};

TEST(EtcdClientTest, RequestsGoThroughTheTunnelWithBase64KeysAndValues) {
  ScriptedHttp http;
  EtcdClient client(http, kMember);
  EXPECT_EQ(client.put("/k", "v", std::chrono::milliseconds(700)), EtcdWrite::kWritten);
  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& put = http.requests.front();
  EXPECT_EQ(put.method, "POST");
  EXPECT_EQ(put.url, "https://127.0.0.1:2379/v3/kv/put");
  EXPECT_EQ(put.unix_socket, "/tmp/t1");
  EXPECT_EQ(put.timeout, std::chrono::milliseconds(700));
  auto body = nlohmann::json::parse(put.body);
  EXPECT_EQ(body["key"], util::encode_base64("/k"));
  EXPECT_EQ(body["value"], util::encode_base64("v"));
}

TEST(EtcdClientTest, ACompareAndSetComparesTheValueOrThatTheKeyIsAbsent) {
  ScriptedHttp http;
  EtcdClient client(http, kMember);
  http.answer.body = R"({"header":{},"succeeded":true})";
  EXPECT_EQ(client.compare_and_set("/k", std::string("old"), "new", std::chrono::seconds(1)),
            EtcdWrite::kWritten);
  auto body = nlohmann::json::parse(http.requests.back().body);
  EXPECT_EQ(http.requests.back().url, "https://127.0.0.1:2379/v3/kv/txn");
  EXPECT_EQ(body["compare"][0]["target"], "VALUE");
  EXPECT_EQ(body["compare"][0]["value"], util::encode_base64("old"));
  EXPECT_EQ(body["success"][0]["request_put"]["value"], util::encode_base64("new"));
  // The gateway leaves "succeeded": false out.
  http.answer.body = R"({"header":{"revision":"9"}})";
  EXPECT_EQ(client.compare_and_set("/k", std::nullopt, "new", std::chrono::seconds(1)),
            EtcdWrite::kNotSwapped);
  body = nlohmann::json::parse(http.requests.back().body);
  EXPECT_EQ(body["compare"][0]["target"], "CREATE");
  EXPECT_EQ(body["compare"][0]["create_revision"], "0");
}

TEST(EtcdClientTest, EachKindOfFailureIsClassifiedForTheHistory) {
  ScriptedHttp http;
  EtcdClient client(http, kMember);
  // etcd answered with an error after it may have proposed the write: it may have happened.
  http.answer = {.status = 503,
                 .body = R"({"error":"etcdserver: request timed out","code":14})",
                 .maybe_sent = true};
  EXPECT_EQ(client.put("/k", "v", std::chrono::seconds(1)), EtcdWrite::kIndeterminate);
  http.answer = {.status = 0, .maybe_sent = true, .error = "Timeout was reached"};
  EXPECT_EQ(client.put("/k", "v", std::chrono::seconds(1)), EtcdWrite::kIndeterminate);
  // Never sent (the tunnel refused the connection): it did not happen.
  http.answer = {.status = 0, .maybe_sent = false, .error = "Couldn't connect to server"};
  EXPECT_EQ(client.put("/k", "v", std::chrono::seconds(1)), EtcdWrite::kRefused);
  http.answer = {.status = 403, .body = "{}", .maybe_sent = true};
  EXPECT_EQ(client.compare_and_set("/k", std::nullopt, "v", std::chrono::seconds(1)),
            EtcdWrite::kRefused);
  // A 200 that is not etcd's answer proves nothing took effect or not.
  http.answer = {.status = 200, .body = "<html>", .maybe_sent = true};
  EXPECT_EQ(client.compare_and_set("/k", std::nullopt, "v", std::chrono::seconds(1)),
            EtcdWrite::kIndeterminate);
  EXPECT_EQ(client.get("/k", std::chrono::seconds(1)), std::nullopt);
}

TEST(EtcdClientTest, ReadsTellAnAbsentKeyFromAnEmptyValue) {
  ScriptedHttp http;
  EtcdClient client(http, kMember);
  http.answer.body = R"({"header":{"revision":"3"}})";
  auto absent = client.get("/k", std::chrono::seconds(1));
  ASSERT_TRUE(absent.has_value());
  EXPECT_EQ(*absent, EtcdValue{});
  http.answer.body = R"({"header":{},"kvs":[{"key":"L2s="}]})";
  auto empty = client.get("/k", std::chrono::seconds(1));
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(*empty, EtcdValue{""});
  EXPECT_EQ(nlohmann::json::parse(http.requests.back().body)["key"], util::encode_base64("/k"));
}

TEST(EtcdClientTest, AgainstAnInMemoryEtcdTheCallsDoWhatTheySay) {
  testing::InMemoryEtcd etcd;
  EtcdClient client(etcd, kMember);
  auto one_second = std::chrono::seconds(1);
  const std::optional<EtcdValue> absent = EtcdValue{};
  EXPECT_EQ(client.get("/k", one_second), absent);
  EXPECT_EQ(client.compare_and_set("/k", std::nullopt, "a", one_second), EtcdWrite::kWritten);
  EXPECT_EQ(client.compare_and_set("/k", std::nullopt, "b", one_second), EtcdWrite::kNotSwapped);
  EXPECT_EQ(client.compare_and_set("/k", std::string("a"), "b", one_second), EtcdWrite::kWritten);
  EXPECT_EQ(client.get("/k", one_second), EtcdValue{"b"});
  EXPECT_TRUE(client.remove("/k", one_second));
  EXPECT_EQ(client.get("/k", one_second), absent);
}

// The gateway's status answer as etcd 3.5 writes it: 64-bit ids as strings.
TEST(EtcdClientTest, AMembersStatusNamesItselfAndTheLeaderItFollows) {
  ScriptedHttp http;
  EtcdClient client(http, kMember);
  http.answer.body =
      R"({"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437",)"
      R"("revision":"31","raft_term":"4"},"version":"3.5.17","dbSize":"20480",)"
      R"("leader":"10501334649042878790","raftIndex":"40","raftTerm":"4"})";
  auto status = client.status(std::chrono::seconds(1));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->member_id, 10276657743932975437u);
  EXPECT_EQ(status->leader, 10501334649042878790u);
  EXPECT_EQ(status->raft_term, 4u);
  EXPECT_EQ(http.requests.back().url, "https://127.0.0.1:2379/v3/maintenance/status");
  http.answer.body = R"({"header":{}})";  // no id: not a member answering
  EXPECT_FALSE(client.status(std::chrono::seconds(1)).has_value());
  http.answer = {.status = 0, .error = "Connection refused"};
  EXPECT_FALSE(client.status(std::chrono::seconds(1)).has_value());
}

// The leader is the member that says it leads; a silent member does not hold the answer up past
// its timeout, and neither nobody answering nor a leader that does not answer is "no leader".
TEST(EtcdClientTest, TheLeaderIsTheMemberThatSaysItLeads) {
  testing::InMemoryEtcd etcd;
  std::vector<ServerEndpoint> members{
      {.node = "a", .url = "https://127.0.0.1:2379", .unix_socket = "/t1"},
      {.node = "b", .url = "https://127.0.0.1:2379", .unix_socket = "/t2"},
      {.node = "c", .url = "https://127.0.0.1:2379", .unix_socket = "/t3"}};
  auto timeout = std::chrono::milliseconds(200);
  EXPECT_EQ(etcd_leader_of(etcd, members, timeout), std::optional<std::string>(""));
  etcd.lead("/t2");
  EXPECT_EQ(etcd_leader_of(etcd, members, timeout), std::optional<std::string>("b"));
  auto now = testing::InMemoryEtcd::Clock::now();
  etcd.black_hole("/t2", now, now + std::chrono::seconds(30));
  // The others still follow b: a leader too slow to answer is not known, and not "no leader"
  // (on a starved host that read as an election that never happened).
  EXPECT_EQ(etcd_leader_of(etcd, members, timeout), std::nullopt);
  etcd.lead("");  // an election: the members that answer follow nobody
  EXPECT_EQ(etcd_leader_of(etcd, members, timeout), std::optional<std::string>(""));
  for (const char* socket : {"/t1", "/t3"})
    etcd.black_hole(socket, now, now + std::chrono::seconds(30));
  EXPECT_EQ(etcd_leader_of(etcd, members, timeout), std::nullopt);
}

// A partition's first moments: the old leader, cut off, still says it leads in its old term, and
// the majority's new leader says so in the next one. The later term is the leader.
TEST(EtcdClientTest, OfTwoThatSayTheyLeadTheLaterTermLeads) {
  class ByTunnel : public HttpClient {
   public:
    HttpResponse send(const HttpRequest& request) override {
      const std::map<std::string, std::string> bodies{
          {"/t1", R"({"header":{"member_id":"1"},"leader":"1","raftTerm":"4"})"},
          {"/t2", R"({"header":{"member_id":"2"},"leader":"2","raftTerm":"5"})"},
          {"/t3", R"({"header":{"member_id":"3"},"leader":"2","raftTerm":"5"})"}};
      return {.status = 200, .body = bodies.at(request.unix_socket)};
    }
  } http;
  std::vector<ServerEndpoint> members;
  for (const char* node : {"a", "b", "c"})
    members.push_back({.node = node,
                       .url = "https://127.0.0.1:2379",
                       .unix_socket = std::string("/t") + std::to_string(members.size() + 1)});
  EXPECT_EQ(etcd_leader_of(http, members, std::chrono::seconds(1)),
            std::optional<std::string>("b"));
  std::reverse(members.begin(), members.end());  // whatever the order asked
  EXPECT_EQ(etcd_leader_of(http, members, std::chrono::seconds(1)),
            std::optional<std::string>("b"));
}

}  // namespace
}  // namespace zerospof::observe
