#include "util/curl_handle.h"

#include <mutex>

namespace zerospof::util {

void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlHandle make_curl_handle() {
  ensure_curl_initialised();
  return CurlHandle(curl_easy_init());
}

}  // namespace zerospof::util
