// CurlHttpClient against a real TLS server on loopback (openssl s_server, client certificates
// required): the request goes through with the certificates held in memory, a server with
// another CA is refused, and a request that never left is known not to have been sent.
#include "observe/http.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "util/files.h"
#include "util/process.h"

namespace zerospof::observe {
namespace {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/openssl")) GTEST_SKIP() << "no openssl";
    dir_ = std::filesystem::temp_directory_path() / ("zerospof-http-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    for (const char* name : {"ca", "other"}) make_ca(name);
    issue("server", "ca", "subjectAltName=IP:127.0.0.1");
    issue("client", "ca", "extendedKeyUsage=clientAuth");
    port_ = free_port();
    auto server = util::spawn_detached(
        {"/usr/bin/openssl", "s_server", "-quiet", "-www", "-accept",
         "127.0.0.1:" + std::to_string(port_), "-cert", path("server.crt"), "-key",
         path("server.key"), "-CAfile", path("ca.crt"), "-Verify", "1"},
        {.log_path = path("server.log")});
    ASSERT_TRUE(server);
    server_ = *server;
  }
  void TearDown() override {
    if (server_ > 0) ::kill(-server_, SIGTERM);
    std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void openssl(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), "/usr/bin/openssl");
    auto result = util::run(arguments);
    ASSERT_TRUE(result && result->exit_code == 0) << (result ? result->err : "");
  }
  void make_ca(const std::string& name) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", path(name + ".key"), "-out", path(name + ".crt"), "-days", "1", "-subj",
             "/CN=" + name});
  }
  void issue(const std::string& name, const std::string& ca, const std::string& extension) {
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             path(name + ".key"), "-out", path(name + ".csr"), "-subj", "/CN=" + name});
    util::write_file_atomic(path(name + ".ext"), extension + "\n", {.overwrite = true});
    openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path(ca + ".crt"), "-CAkey",
             path(ca + ".key"), "-CAcreateserial", "-out", path(name + ".crt"), "-days", "1",
             "-extfile", path(name + ".ext")});
  }
  TlsCredentials credentials(const std::string& ca) {
    return {*util::read_file(path(ca + ".crt")), *util::read_file(path("client.crt")),
            *util::read_file(path("client.key"))};
  }
  HttpResponse get_eventually(CurlHttpClient& client) {
    HttpResponse response;
    for (int i = 0; i < 50; ++i) {  // bounded: s_server takes a moment to listen
      response = client.send({.url = "https://127.0.0.1:" + std::to_string(port_) + "/",
                              .timeout = std::chrono::milliseconds(2000)});
      if (response.status != 0 || response.error.find("onnect") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return response;
  }

  std::filesystem::path dir_;
  int port_ = 0;
  pid_t server_ = 0;
};

TEST_F(HttpTest, MutualTlsWithCertificatesHeldInMemory) {
  CurlHttpClient client(credentials("ca"));
  HttpResponse response = get_eventually(client);
  EXPECT_EQ(response.status, 200) << response.error;
  EXPECT_TRUE(response.maybe_sent);
}

TEST_F(HttpTest, AServerOfAnotherCaIsRefusedBeforeTheRequestLeaves) {
  CurlHttpClient trusting(credentials("ca"));
  ASSERT_EQ(get_eventually(trusting).status, 200);  // the server is up
  CurlHttpClient client(credentials("other"));
  HttpResponse response = client.send({.url = "https://127.0.0.1:" + std::to_string(port_) + "/",
                                       .timeout = std::chrono::seconds(2)});
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
  HttpResponse response = client.send({.url = "https://localhost:" + std::to_string(port_) + "/",
                                       .timeout = std::chrono::seconds(2)});
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
           {{good.ca_pem, good.cert_pem, *util::read_file(path("ca.key"))},
            "does not belong to the client certificate"},
       }) {
    CurlHttpClient client(each.credentials);
    HttpResponse response = client.send({.url = "https://127.0.0.1:" + std::to_string(port_) + "/",
                                         .timeout = std::chrono::seconds(2)});
    EXPECT_EQ(response.status, 0);
    EXPECT_FALSE(response.maybe_sent);
    EXPECT_NE(response.error.find(each.says), std::string::npos) << response.error;
  }
}

TEST_F(HttpTest, NothingListeningMeansNotSent) {
  CurlHttpClient client(credentials("ca"));
  HttpResponse response =
      client.send({.url = "https://127.0.0.1:" + std::to_string(free_port()) + "/",
                   .timeout = std::chrono::milliseconds(500)});
  EXPECT_EQ(response.status, 0);
  EXPECT_FALSE(response.maybe_sent);
}

}  // namespace
}  // namespace zerospof::observe
