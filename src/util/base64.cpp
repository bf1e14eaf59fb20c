#include "util/base64.h"

#include <openssl/evp.h>

namespace zerospof::util {

std::string encode_base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(data.data()),
                               static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

Result<std::string> decode_base64(const std::string& text) {
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ') clean += c;
  if (clean.empty()) return std::string();
  if (clean.size() % 4 != 0) return fail(Error::invalid_input("not base64"));
  std::string out(clean.size() / 4 * 3, '\0');
  int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (written < 0) return fail(Error::invalid_input("not base64"));
  std::size_t padding = clean.ends_with("==") ? 2 : clean.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

}  // namespace zerospof::util
