#include "util/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace zerospof::util {
namespace {

constexpr std::string_view kRedacted = "[redacted]";
constexpr std::string_view kPemStart = "-----BEGIN ";
constexpr std::string_view kPemDashes = "-----";
constexpr std::string_view kPemEnd = "-----END ";

// A field is secret by how its name ends: client-key-data, tls.key, bearer-token, password...
// ("secretName" or "key" alone are not).
constexpr std::array<std::string_view, 8> kSecretNameEndings = {
    "key-data", "-key", ".key", "_key", "token", "password", "passwd", "secret"};

// Shorter base64 runs are names and words; PEM bodies and kubeconfig data are far longer.
constexpr size_t kShortestKeyRun = 40;

bool is_base64(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
}

bool is_name(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

bool ends_with(std::string_view text, std::string_view ending) {
  return text.size() >= ending.size() && text.substr(text.size() - ending.size()) == ending;
}

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

// Every PEM block whose label says PRIVATE KEY, through its END line (or the end of the text
// when it was cut), becomes one placeholder.
std::string without_private_key_blocks(std::string text) {
  for (size_t start = text.find(kPemStart); start != std::string::npos;
       start = text.find(kPemStart, start + 1)) {
    size_t label_end = text.find(kPemDashes, start + kPemStart.size());
    if (label_end == std::string::npos ||
        text.substr(start, label_end - start).find("PRIVATE KEY") == std::string::npos)
      continue;
    size_t end = text.find(kPemEnd, label_end);
    if (end != std::string::npos) end = text.find(kPemDashes, end + kPemEnd.size());
    end = end == std::string::npos ? text.size() : end + kPemDashes.size();
    text.replace(start, end - start, "[private key redacted]");
  }
  return text;
}

// `name: value`, `name=value` and `"name": "value"` with a secret name: the value goes.
std::string without_secret_values(std::string text) {
  for (size_t at = 0; at < text.size(); ++at) {
    if (text[at] != ':' && text[at] != '=') continue;
    size_t name_end = at;
    if (name_end > 0 && (text[name_end - 1] == '"' || text[name_end - 1] == '\'')) --name_end;
    size_t name_start = name_end;
    while (name_start > 0 && is_name(text[name_start - 1])) --name_start;
    std::string name = lower(std::string_view(text).substr(name_start, name_end - name_start));
    if (name.empty() || std::none_of(kSecretNameEndings.begin(), kSecretNameEndings.end(),
                                     [&](std::string_view e) { return ends_with(name, e); }))
      continue;
    size_t value_start = at + 1;
    while (value_start < text.size() && text[value_start] == ' ') ++value_start;
    char quote =
        value_start < text.size() && (text[value_start] == '"' || text[value_start] == '\'')
            ? text[value_start]
            : '\0';
    if (quote) ++value_start;
    size_t value_end =
        text.find_first_of(quote ? std::string(1, quote) : std::string("\n ,}"), value_start);
    if (value_end == std::string::npos) value_end = text.size();
    if (value_end == value_start) continue;
    text.replace(value_start, value_end - value_start, kRedacted);
    at = value_start + kRedacted.size();
  }
  return text;
}

// A long run of base64 with upper case, lower case and digits mixed (a hexadecimal digest or a
// path has not all three) is taken for key material: a PEM body line or a kubeconfig value.
std::string without_base64_runs(std::string text) {
  for (size_t start = 0; start < text.size();) {
    if (!is_base64(text[start])) {
      ++start;
      continue;
    }
    size_t end = start;
    bool upper = false, lower_case = false, digit = false;
    for (; end < text.size() && is_base64(text[end]); ++end) {
      unsigned char c = static_cast<unsigned char>(text[end]);
      upper |= std::isupper(c) != 0;
      lower_case |= std::islower(c) != 0;
      digit |= std::isdigit(c) != 0;
    }
    if (end - start >= kShortestKeyRun && upper && lower_case && digit) {
      text.replace(start, end - start, kRedacted);
      end = start + kRedacted.size();
    }
    start = end;
  }
  return text;
}

}  // namespace

std::string redact_secrets(std::string_view text) {
  return without_base64_runs(without_secret_values(without_private_key_blocks(std::string(text))));
}

}  // namespace zerospof::util
