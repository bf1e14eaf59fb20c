// A real TLS server on 127.0.0.1 that requires a client certificate: `openssl s_server -www`
// (its page says whether the session was "New" or "Reused"), with two CAs, a server certificate
// for IP 127.0.0.1 and a client certificate, all issued by the openssl program into a scratch
// directory of its own. For the HTTP client's tests and the TLS session benchmark. The server
// is ended by its PID with the object, and the directory (keys included) removed; a setup that
// fails throws, saying which step.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "observe/http.h"
#include "support/loopback_port.h"
#include "support/scratch_directory.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::testing {

class LoopbackTlsServer {
 public:
  LoopbackTlsServer() {
    for (const char* name : {"ca", "other"}) make_ca(name);
    issue("server", "subjectAltName=IP:127.0.0.1");
    issue("client", "extendedKeyUsage=clientAuth");
    port_ = unclaimed_loopback_port();
    auto server = util::spawn_detached(
        {"/usr/bin/openssl", "s_server", "-quiet", "-www", "-accept",
         "127.0.0.1:" + std::to_string(port_), "-cert", path("server.crt"), "-key",
         path("server.key"), "-CAfile", path("ca.crt"), "-Verify", "1"},
        {.log_path = path("server.log")});
    if (!server) throw std::runtime_error("openssl s_server: " + server.error().message);
    server_ = *server;
  }
  ~LoopbackTlsServer() {
    if (server_ > 0) ::kill(-server_, SIGTERM);
  }
  LoopbackTlsServer(const LoopbackTlsServer&) = delete;
  LoopbackTlsServer& operator=(const LoopbackTlsServer&) = delete;

  std::string path(const std::string& name) const { return directory_.path() + "/" + name; }
  int port() const { return port_; }
  std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_) + "/";
  }
  // The client's certificate and key, trusting the CA `ca` ("ca" issued the server's; "other"
  // did not).
  observe::TlsCredentials credentials(const std::string& ca = "ca") const {
    return {read(ca + ".crt"), read("client.crt"), read("client.key")};
  }

 private:
  std::string read(const std::string& name) const {
    auto text = util::read_file(path(name));
    if (!text) throw std::runtime_error("cannot read " + path(name));
    return *text;
  }
  void openssl(std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), "/usr/bin/openssl");
    auto result = util::run(arguments);
    if (!result || result->exit_code != 0)
      throw std::runtime_error("openssl " + arguments[1] + ": " + (result ? result->err : ""));
  }
  void make_ca(const std::string& name) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", path(name + ".key"), "-out", path(name + ".crt"), "-days", "1", "-subj",
             "/CN=" + name});
  }
  void issue(const std::string& name, const std::string& extension) {
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
             path(name + ".key"), "-out", path(name + ".csr"), "-subj", "/CN=" + name});
    if (!util::write_file_atomic(path(name + ".ext"), extension + "\n", {.overwrite = true}))
      throw std::runtime_error("cannot write " + path(name + ".ext"));
    openssl({"x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.crt"), "-CAkey",
             path("ca.key"), "-CAcreateserial", "-out", path(name + ".crt"), "-days", "1",
             "-extfile", path(name + ".ext")});
  }

  ScratchDirectory directory_{"zerospof-tls-server"};
  int port_ = 0;
  pid_t server_ = 0;
};

}  // namespace zerospof::testing
