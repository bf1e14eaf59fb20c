// HTTP to the cluster's own servers (the Kubernetes API, etcd's gateway) over mutual TLS, with
// libcurl. One small interface so that the clients built on it (kubernetes.h) can be tested
// without a cluster; CurlHttpClient is the real one.
//
// Guarantees: every request is bounded by its timeout and uses a fresh connection (a probe
// measures what a new client would see, not a kept-alive connection to a backend that may be
// gone); the certificates and key stay in memory, never in a file or a message. They are parsed
// once, when the client is made: OpenSSL 3 takes about 1 ms of CPU to decode them (2 ms on a
// loaded machine: scripts/bench-tls-context.sh), which a drill
// paid on each of its thousands of fresh connections (docs/performance.md, "Where the drill's own
// CPU goes"), on the machine whose failover it was timing. The TLS sessions are kept too (one cache
// per client, shared by its requests): a fresh connection to a server met before resumes its
// session instead of a full handshake, which skips parsing and verifying the server's
// certificate chain again; a server that does not know the session (another apiserver behind
// the same address, one restarted) makes a full handshake, as the first time. Credentials that
// cannot be read
// fail every request with an error saying which, before anything is sent. A response tells whether
// the request may have reached the server: a request that failed before a byte was sent did not
// take effect, one that timed out afterwards may have. Safe to call from several threads at once.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "util/error.h"

namespace zerospof::observe {

struct TlsCredentials {
  std::string ca_pem;    // the server's CA
  std::string cert_pem;  // this client's certificate
  std::string key_pem;   // and its key: never printed
};

// A server of the cluster: its base URL, and the Unix socket that reaches it when it cannot be
// reached directly (a transport's tunnel; "" to connect to the URL).
struct ServerEndpoint {
  std::string node;  // where it runs, for reports
  std::string url;   // https://127.0.0.1:2379 through a tunnel
  std::string unix_socket;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;  // sent as application/json when not empty
  std::chrono::milliseconds timeout{1000};
  // Connect through this Unix socket instead of the URL's host and port (a transport's tunnel);
  // TLS still checks the certificate against the URL's host.
  std::string unix_socket;
};

struct HttpResponse {
  long status = 0;          // the HTTP status; 0 when none arrived
  std::string body;         // the response body
  bool maybe_sent = false;  // the request may have reached the server (status 0 and true: unknown)
  std::string error;        // why no status arrived, for reports
  bool ok() const { return status >= 200 && status < 300; }
};

// Why a response is not a success, in a few stable words that can be counted: "HTTP 409
// Conflict" (the Kubernetes Status reason when the body has one), or the transport's error
// ("Timeout was reached"); "" for a success.
std::string failure_cause(const HttpResponse& response);

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(TlsCredentials credentials);
  // Plain HTTP, for servers outside the cluster that speak no TLS (the end-to-end tests' own
  // workload in the lab); zerospof's clients of the cluster never use it.
  static CurlHttpClient without_tls();
  HttpResponse send(const HttpRequest& request) override;

  struct ParsedCredentials;  // the OpenSSL objects, shared read-only by every request
  class SessionCache;        // libcurl's share handle for TLS sessions, locked for threads

 private:
  CurlHttpClient(TlsCredentials credentials, const char* protocols);
  std::shared_ptr<const ParsedCredentials> parsed_;
  std::shared_ptr<SessionCache> sessions_;  // null without TLS, or when none could be made
  std::string parse_error_;      // why the credentials could not be read; "" when they could
  const char* const protocols_;  // libcurl's CURLOPT_PROTOCOLS_STR
};

}  // namespace zerospof::observe
