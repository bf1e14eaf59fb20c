#include "observe/http.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "util/curl_handle.h"

namespace zerospof::observe {

namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

curl_blob blob_of(const std::string& text) {
  return curl_blob{const_cast<char*>(text.data()), text.size(), CURL_BLOB_COPY};
}

}  // namespace

CurlHttpClient::CurlHttpClient(TlsCredentials credentials)
    : CurlHttpClient(std::move(credentials), "https") {}

CurlHttpClient::CurlHttpClient(TlsCredentials credentials, const char* protocols)
    : credentials_(std::move(credentials)), protocols_(protocols) {}

CurlHttpClient CurlHttpClient::without_tls() { return CurlHttpClient({}, "http"); }

HttpResponse CurlHttpClient::send(const HttpRequest& request) {
  HttpResponse response;
  const util::CurlHandle curl = util::make_curl_handle();
  if (!curl) {
    response.error = "libcurl could not make a handle";
    return response;
  }
  CURL* handle = curl.get();
  curl_blob ca = blob_of(credentials_.ca_pem);
  curl_blob cert = blob_of(credentials_.cert_pem);
  curl_blob key = blob_of(credentials_.key_pem);
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
  curl_easy_setopt(handle, CURLOPT_CAINFO_BLOB, &ca);
  curl_easy_setopt(handle, CURLOPT_SSLCERT_BLOB, &cert);
  curl_easy_setopt(handle, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt(handle, CURLOPT_SSLKEY_BLOB, &key);
  curl_easy_setopt(handle, CURLOPT_SSLKEYTYPE, "PEM");
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
