// Content digests, for checking on a host that the bytes it received are the bytes sent.
#pragma once

#include <string>
#include <string_view>

namespace zerospof::util {

// The SHA-256 of `bytes` as 64 lower-case hexadecimal digits (what `sha256sum` prints).
std::string sha256_hex(std::string_view bytes);

}  // namespace zerospof::util
