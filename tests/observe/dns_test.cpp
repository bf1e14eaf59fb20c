// The DNS client: the query's bytes, answers parsed (and any bytes refused without a crash), and
// a whole exchange through a Unix socket to a DNS-over-TCP server of this test.
#include "observe/dns.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "support/unix_dns_server.h"

namespace zerospof::observe {
namespace {

using std::chrono::milliseconds;

using testing::dns_answer_to;
using testing::send_framed;
using testing::UnixDnsServer;

TEST(DnsQueryTest, AsksForTheARecordsOfTheName) {
  auto query = dns_query_over_tcp(0x1234, "kv.default.svc.cluster.local.");
  ASSERT_TRUE(query.has_value());
  const std::string expected_question(
      "\x02kv\x07"
      "default\x03svc\x07"
      "cluster\x05local\x00",
      30);
  std::string message = query->substr(2);
  EXPECT_EQ(static_cast<unsigned char>((*query)[0]) * 256 + static_cast<unsigned char>((*query)[1]),
            static_cast<int>(message.size()));
  EXPECT_EQ(message.substr(0, 4), std::string("\x12\x34\x01\x00", 4));
  EXPECT_EQ(message.substr(4, 8), std::string("\x00\x01\x00\x00\x00\x00\x00\x00", 8));
  EXPECT_EQ(message.substr(12, expected_question.size()), expected_question);
  EXPECT_EQ(message.substr(12 + expected_question.size()), std::string("\x00\x01\x00\x01", 4));
}

TEST(DnsQueryTest, RefusesWhatIsNotAHostName) {
  for (std::string_view name : std::initializer_list<std::string_view>{
           "", ".", "a..b", "has space.local", "semi;colon", std::string_view("nul\0x", 5)}) {
    auto query = dns_query_over_tcp(1, name);
    ASSERT_FALSE(query.has_value()) << name;
    EXPECT_EQ(query.error().code, util::ErrorCode::kInvalidInput);
  }
  EXPECT_FALSE(dns_query_over_tcp(1, std::string(64, 'a') + ".local").has_value());
  EXPECT_TRUE(dns_query_over_tcp(1, std::string(63, 'a') + ".local").has_value());
}

TEST(DnsResponseTest, ReadsTheAddressesAndTheResponseCode) {
  std::string query = dns_query_over_tcp(7, "echo.default.svc.cluster.local")->substr(2);
  auto answer =
      parse_dns_response(dns_answer_to(query, {{198, 19, 128, 10}, {198, 19, 128, 11}}), 7);
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->response_code, 0);
  ASSERT_EQ(answer->addresses.size(), 2u);
  EXPECT_EQ(answer->addresses[0].to_string(), "198.19.128.10");
  EXPECT_EQ(answer->addresses[1].to_string(), "198.19.128.11");
  auto missing = parse_dns_response(dns_answer_to(query, {}, 3), 7);
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(dns_response_code_name(missing->response_code), "NXDOMAIN");
  EXPECT_TRUE(missing->addresses.empty());
}

TEST(DnsResponseTest, RefusesAnotherQuerysAnswerAQueryAndATruncatedAnswer) {
  std::string query = dns_query_over_tcp(7, "a.b")->substr(2);
  std::string answer = dns_answer_to(query, {{198, 19, 0, 1}});
  EXPECT_FALSE(parse_dns_response(answer, 8).has_value());
  EXPECT_FALSE(parse_dns_response(query, 7).has_value());
  for (std::size_t cut = 0; cut < answer.size(); ++cut)
    EXPECT_FALSE(parse_dns_response(answer.substr(0, cut), 7).has_value()) << cut;
  std::string truncated = answer;
  truncated[2] = static_cast<char>(truncated[2] | 0x02);
  EXPECT_FALSE(parse_dns_response(truncated, 7).has_value());
}

// Any bytes give an answer or an error: mutations of a real answer (run under ASan and UBSan).
TEST(DnsResponseTest, AnyBytesGiveAnAnswerOrAnError) {
  std::string query = dns_query_over_tcp(9, "kv.default.svc.cluster.local")->substr(2);
  const std::string valid = dns_answer_to(query, {{198, 19, 0, 1}, {198, 19, 0, 2}});
  std::mt19937 random(1);
  std::size_t parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string bytes = valid;
    int changes = 1 + static_cast<int>(random() % 6);
    for (int change = 0; change < changes; ++change)
      bytes[random() % bytes.size()] = static_cast<char>(random());
    if (random() % 4 == 0) bytes.resize(random() % bytes.size());
    if (bytes.size() >= 2) bytes[0] = 0, bytes[1] = 9;  // keep the id, so parsing goes deep
    auto answer = parse_dns_response(bytes, 9);
    if (answer) ++parsed;
  }
  EXPECT_GT(parsed, 0u);  // some mutations still parse: the deep paths ran
}

TEST(ResolveThroughTest, AsksThroughTheSocketAndReadsTheAnswer) {
  UnixDnsServer server([](int connection, const std::string& query) {
    send_framed(connection, dns_answer_to(query, {{198, 19, 128, 20}}));
  });
  auto answer =
      resolve_through(server.path(), "echo.default.svc.cluster.local", milliseconds(2000));
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  ASSERT_EQ(answer->addresses.size(), 1u);
  EXPECT_EQ(answer->addresses[0].to_string(), "198.19.128.20");
}

TEST(ResolveThroughTest, ASilentServerTimesOutAndAClosedOneIsSaid) {
  UnixDnsServer silent(
      [](int, const std::string&) { std::this_thread::sleep_for(milliseconds(600)); });
  auto start = std::chrono::steady_clock::now();
  auto timed_out = resolve_through(silent.path(), "a.b", milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(550));
  ASSERT_FALSE(timed_out.has_value());
  EXPECT_EQ(timed_out.error().message, "timed out");
  UnixDnsServer closing([](int, const std::string&) {});
  auto closed = resolve_through(closing.path(), "a.b", milliseconds(2000));
  ASSERT_FALSE(closed.has_value());
  EXPECT_EQ(closed.error().message, "closed");
  auto nobody = resolve_through("/nonexistent/zerospof-dns.sock", "a.b", milliseconds(200));
  ASSERT_FALSE(nobody.has_value());
  EXPECT_EQ(nobody.error().message, "refused");
}

}  // namespace
}  // namespace zerospof::observe
