// What key material looks like in output a user sees: a PEM private key, a kubeconfig's
// client-key-data with a value, a long base64 run. Tests scan every output of the binaries they
// run with it (issue 11, item 10: no secret may reach a terminal or a journal).
#pragma once

#include <cctype>
#include <string>
#include <vector>

namespace zerospof::testing {

// Each piece of key material in `text`, cut to a few characters (a failing test must not print
// the key it found either).
inline std::vector<std::string> key_material(const std::string& text) {
  std::vector<std::string> found;
  if (text.find("PRIVATE KEY-----") != std::string::npos) found.push_back("a PEM private key");
  for (size_t at = text.find("client-key-data:"); at != std::string::npos;
       at = text.find("client-key-data:", at + 1)) {
    size_t value = text.find_first_not_of(" \"", at + 16);
    if (value != std::string::npos && text.compare(value, 10, "[redacted]") != 0 &&
        text[value] != '\n')
      found.push_back("a client-key-data value");
  }
  // A run of 64 base64 characters is key material unless it is all lowercase hex: a sha256
  // digest (apply's dry run shows the digests it checks binaries against), not a secret.
  size_t run = 0;
  bool beyond_hex = false, reported = false;
  for (char c : text) {
    bool base64 = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
    if (!base64) {
      run = 0;
      beyond_hex = reported = false;
      continue;
    }
    ++run;
    beyond_hex =
        beyond_hex || !(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'));
    if (run >= 64 && beyond_hex && !reported) {
      found.push_back("a 64-character base64 run");
      reported = true;
    }
  }
  return found;
}

}  // namespace zerospof::testing
