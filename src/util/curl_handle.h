// A libcurl easy handle for one transfer, with libcurl's global set-up done exactly once per
// process before the first handle (curl_global_init is not thread-safe, and both the cluster's
// HTTP client and the release downloader make handles from several threads).
// Null when libcurl cannot make a handle (out of memory); the handle is freed with the pointer.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace zerospof::util {

struct CurlHandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlHandleDeleter>;

CurlHandle make_curl_handle();

// libcurl's global set-up, once per process (make_curl_handle calls it; a share handle needs it
// too).
void ensure_curl_initialised();

}  // namespace zerospof::util
