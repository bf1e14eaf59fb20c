#include "observe/http.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "util/curl_handle.h"

namespace zerospof::observe {

namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

using X509Pointer = std::unique_ptr<X509, decltype(&X509_free)>;
using BioPointer = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPointer memory_of(const std::string& pem) {
  return BioPointer(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
}

// Every certificate of a PEM text, in order; empty when it holds none or one does not parse.
std::vector<X509Pointer> certificates_of(const std::string& pem) {
  std::vector<X509Pointer> certificates;
  ERR_clear_error();
  BioPointer bio = memory_of(pem);
  while (bio) {
    X509Pointer certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
    if (!certificate) break;
    certificates.push_back(std::move(certificate));
  }
  // Reading stops at the end of the text (no more PEM) or at a broken block: only the first
  // leaves nothing but whitespace behind.
  bool whole =
      ERR_peek_last_error() == 0 || ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  if (!whole) certificates.clear();
  return certificates;
}

}  // namespace

struct CurlHttpClient::ParsedCredentials {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> trusted{nullptr, X509_STORE_free};
  std::vector<X509Pointer> chain;  // this client's certificate first, then its issuers if given
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
};

namespace {

// libcurl makes a new SSL_CTX for every fresh connection; this puts the objects parsed once into
// it (each takes a reference), instead of libcurl decoding the PEM texts again.
CURLcode install_credentials(CURL*, void* context, void* credentials) {
  auto* ssl_context = static_cast<SSL_CTX*>(context);
  const auto* parsed = static_cast<const CurlHttpClient::ParsedCredentials*>(credentials);
  SSL_CTX_set1_cert_store(ssl_context, parsed->trusted.get());
  if (parsed->chain.empty()) return CURLE_OK;
  if (SSL_CTX_use_certificate(ssl_context, parsed->chain.front().get()) != 1 ||
      SSL_CTX_use_PrivateKey(ssl_context, parsed->key.get()) != 1)
    return CURLE_SSL_CERTPROBLEM;
  for (std::size_t i = 1; i < parsed->chain.size(); ++i)
    if (SSL_CTX_add1_chain_cert(ssl_context, parsed->chain[i].get()) != 1)
      return CURLE_SSL_CERTPROBLEM;
  return CURLE_OK;
}

}  // namespace

// libcurl's share handle, holding the TLS sessions of every request of one client. libcurl asks
// for a lock around each use, and requests run on several threads at once.
class CurlHttpClient::SessionCache {
 public:
  SessionCache() {
    util::ensure_curl_initialised();
    share_ = curl_share_init();
    if (share_ == nullptr) return;
    if (curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, lock) != CURLSHE_OK ||
        curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, unlock) != CURLSHE_OK ||
        curl_share_setopt(share_, CURLSHOPT_USERDATA, this) != CURLSHE_OK ||
        curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
      curl_share_cleanup(share_);
      share_ = nullptr;
    }
  }
  ~SessionCache() {
    if (share_ != nullptr) curl_share_cleanup(share_);
  }
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  CURLSH* share() const { return share_; }

 private:
  static std::mutex& mutex_for(void* self, curl_lock_data data) {
    auto* cache = static_cast<SessionCache*>(self);
    return cache->mutexes_[static_cast<std::size_t>(data) % cache->mutexes_.size()];
  }
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    mutex_for(self, data).lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) { mutex_for(self, data).unlock(); }

  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
};

CurlHttpClient::CurlHttpClient(TlsCredentials credentials)
    : CurlHttpClient(std::move(credentials), "https") {}

CurlHttpClient::CurlHttpClient(TlsCredentials credentials, const char* protocols)
    : protocols_(protocols) {
  if (std::string_view(protocols) != "https") return;
  auto parsed = std::make_shared<ParsedCredentials>();
  parsed->trusted.reset(X509_STORE_new());
  std::vector<X509Pointer> authorities = certificates_of(credentials.ca_pem);
  if (authorities.empty()) parse_error_ = "the cluster's CA certificate could not be read";
  for (const X509Pointer& authority : authorities)
    if (!parsed->trusted || X509_STORE_add_cert(parsed->trusted.get(), authority.get()) != 1)
      parse_error_ = "the cluster's CA certificate could not be used";
  if (!credentials.cert_pem.empty() || !credentials.key_pem.empty()) {
    parsed->chain = certificates_of(credentials.cert_pem);
    BioPointer bio = memory_of(credentials.key_pem);
    if (bio) parsed->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (parsed->chain.empty())
      parse_error_ = "the client certificate could not be read";
    else if (!parsed->key)
      parse_error_ = "the client key could not be read";
    else if (X509_check_private_key(parsed->chain.front().get(), parsed->key.get()) != 1)
      parse_error_ = "the client key does not belong to the client certificate";
    ERR_clear_error();
  }
  if (!parse_error_.empty()) return;  // every request fails before it is sent: no sessions
  parsed_ = std::move(parsed);
  auto sessions = std::make_shared<SessionCache>();
  if (sessions->share() != nullptr) sessions_ = std::move(sessions);
}

CurlHttpClient CurlHttpClient::without_tls() { return CurlHttpClient({}, "http"); }

HttpResponse CurlHttpClient::send(const HttpRequest& request) {
  HttpResponse response;
  if (!parse_error_.empty()) {
    response.error = parse_error_;
    return response;
  }
  const util::CurlHandle curl = util::make_curl_handle();
  if (!curl) {
    response.error = "libcurl could not make a handle";
    return response;
  }
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  if (!request.unix_socket.empty())
    curl_easy_setopt(handle, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(handle, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, protocols_);
  if (parsed_) {
    // Only the cluster's CA is trusted: not the system's bundle, which libcurl would otherwise
    // read (and parse) for every connection.
    curl_easy_setopt(handle, CURLOPT_CAINFO, nullptr);
    curl_easy_setopt(handle, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(handle, CURLOPT_SSL_CTX_FUNCTION, install_credentials);
    curl_easy_setopt(handle, CURLOPT_SSL_CTX_DATA, parsed_.get());
    if (sessions_) curl_easy_setopt(handle, CURLOPT_SHARE, sessions_->share());
  }
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  if (!request.body.empty()) {
    headers.reset(curl_slist_append(nullptr, "Content-Type: application/json"));
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }
  CURLcode result = curl_easy_perform(handle);
  if (result == CURLE_OK) {
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
    response.maybe_sent = true;
    return response;
  }
  response.error = curl_easy_strerror(result);
  // The request is written once the connection and TLS are up (pretransfer): before that, the
  // server cannot have seen it.
  curl_off_t pretransfer = 0;
  curl_easy_getinfo(handle, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
  response.maybe_sent = pretransfer > 0;
  return response;
}

std::string failure_cause(const HttpResponse& response) {
  if (response.ok()) return "";
  if (response.status == 0) return response.error.empty() ? "no answer" : response.error;
  // A Kubernetes Status names its reason in one word ("Conflict", "Timeout"); its message names
  // objects and versions, so counting by it would count every failure apart.
  auto status = nlohmann::json::parse(response.body, nullptr, false);
  if (status.is_object() && status.contains("reason") && status["reason"].is_string() &&
      !status["reason"].get<std::string>().empty())
    return fmt::format("HTTP {} {}", response.status, status["reason"].get<std::string>());
  return fmt::format("HTTP {}", response.status);
}

}  // namespace zerospof::observe
