// Content digests, for checking on a host that the bytes it received are the bytes sent.
#pragma once

#include <string>
#include <string_view>

namespace zerospof::util {

// The SHA-256 of `bytes` as 64 lower-case hexadecimal digits (what `sha256sum` prints).
std::string sha256_hex(std::string_view bytes);

// Whether `text` is such a digest: exactly 64 lower-case hexadecimal digits (so it is also one
// inert word in a shell script).
bool is_sha256_hex(std::string_view text);

}  // namespace zerospof::util
