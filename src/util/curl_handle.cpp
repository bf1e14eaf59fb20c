#include "util/curl_handle.h"

#include <mutex>

namespace zerospof::util {

CurlHandle make_curl_handle() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return CurlHandle(curl_easy_init());
}

}  // namespace zerospof::util
