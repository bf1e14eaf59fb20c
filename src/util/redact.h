// Keeps secrets off terminals and journals. Text that came from a user's file or a command's
// output (an error's source line, the last line of a failed command) can be a kubeconfig's
// client-key-data, a PEM private key or a token; redact_secrets() replaces them before the text
// is shown. It errs on the side of hiding: a long base64 run is treated as key material.
#pragma once

#include <string>
#include <string_view>

namespace zerospof::util {

// `text` with private key blocks, values of secret-named fields (…key-data, tls.key, token,
// password, secret: VALUE or =VALUE) and long base64 runs replaced by "[redacted]".
std::string redact_secrets(std::string_view text);

}  // namespace zerospof::util
