// CurlHttpClient against a real TLS server on loopback (openssl s_server, client certificates
// required): the request goes through with the certificates held in memory, a server with
// another CA is refused, and a request that never left is known not to have been sent.
#include "observe/http.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "support/loopback_port.h"
#include "support/loopback_tls_server.h"
#include "util/files.h"

namespace zerospof::observe {
namespace {

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/openssl")) GTEST_SKIP() << "no openssl";
    server_ = std::make_unique<testing::LoopbackTlsServer>();
  }
  TlsCredentials credentials(const std::string& ca) { return server_->credentials(ca); }
  HttpResponse get(CurlHttpClient& client, const std::string& host = "127.0.0.1") {
    return client.send({.url = server_->url(host), .timeout = std::chrono::milliseconds(2000)});
  }
  HttpResponse get_eventually(CurlHttpClient& client) {
    HttpResponse response;
    for (int i = 0; i < 50; ++i) {  // bounded: s_server takes a moment to listen
      response = get(client);
      if (response.status != 0 || response.error.find("onnect") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return response;
  }

  std::unique_ptr<testing::LoopbackTlsServer> server_;
};

TEST_F(HttpTest, MutualTlsWithCertificatesHeldInMemory) {
  CurlHttpClient client(credentials("ca"));
  HttpResponse response = get_eventually(client);
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_TRUE(response.maybe_sent);
}

// The second fresh connection resumes the first one's TLS session (openssl s_server's page says
// "Reused"), with the client's certificate still required; another client keeps its own.
TEST_F(HttpTest, AFreshConnectionResumesTheSessionOfAnEarlierOne) {
  CurlHttpClient client(credentials("ca"));
  HttpResponse first = get_eventually(client);
  ASSERT_EQ(first.status, 200) << first.error;
  EXPECT_NE(first.body.find("New, TLS"), std::string::npos) << first.body;
  HttpResponse second = get(client);
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_NE(second.body.find("Reused, TLS"), std::string::npos) << second.body;
  CurlHttpClient other(credentials("ca"));
  HttpResponse third = get(other);
  EXPECT_EQ(third.status, 200) << third.error;
  EXPECT_NE(third.body.find("New, TLS"), std::string::npos) << third.body;
}

TEST_F(HttpTest, AServerOfAnotherCaIsRefusedBeforeTheRequestLeaves) {
  CurlHttpClient trusting(credentials("ca"));
  ASSERT_EQ(get_eventually(trusting).status, 200);  // the server is up
  CurlHttpClient client(credentials("other"));
  HttpResponse response = get(client);
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.maybe_sent);
  EXPECT_FALSE(response.error.empty());
}

// The credentials are put into libcurl's TLS context by zerospof (parsed once), not by libcurl:
// libcurl must still check the server's name against its certificate (the server's names only
// 127.0.0.1), and trust only the cluster's CA.
TEST_F(HttpTest, TheServersNameIsStillChecked) {
  CurlHttpClient client(credentials("ca"));
  ASSERT_EQ(get_eventually(client).status, 200);
  HttpResponse response = get(client, "localhost");
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.maybe_sent);
  EXPECT_NE(response.error.find("SSL"), std::string::npos) << response.error;
}

TEST_F(HttpTest, UnreadableCredentialsFailEveryRequestSayingWhichBeforeSending) {
  TlsCredentials good = credentials("ca");
  struct Case {
    TlsCredentials credentials;
    std::string says;
  };
  std::string broken_key = good.key_pem;
  broken_key[broken_key.size() / 2] ^= 0x20;
  for (const Case& each : std::vector<Case>{
           {{"not a certificate", good.cert_pem, good.key_pem}, "CA certificate"},
           {{good.ca_pem, good.ca_pem.substr(0, 100), good.key_pem}, "client certificate"},
           {{good.ca_pem, good.cert_pem, broken_key}, "client key"},
           {{good.ca_pem, good.cert_pem, *util::read_file(server_->path("ca.key"))},
            "does not belong to the client certificate"},
       }) {
    CurlHttpClient client(each.credentials);
    HttpResponse response = get(client);
    EXPECT_EQ(response.status, 0);
    EXPECT_FALSE(response.maybe_sent);
    EXPECT_NE(response.error.find(each.says), std::string::npos) << response.error;
  }
}

TEST_F(HttpTest, NothingListeningMeansNotSent) {
  CurlHttpClient client(credentials("ca"));
  HttpResponse response = client.send(
      {.url = "https://127.0.0.1:" + std::to_string(testing::unclaimed_loopback_port()) + "/",
       .timeout = std::chrono::milliseconds(500)});
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.maybe_sent);
}

}  // namespace
}  // namespace zerospof::observe
