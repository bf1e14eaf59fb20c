// util/redact and the two ways text from a file or a command reaches the user (an Error's
// message and source line, a failed command's last line): no key material gets through.
#include "util/redact.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/key_material.h"
#include "util/error.h"
#include "util/process.h"

namespace zerospof::util {
namespace {

// A base64 line as PEM bodies and kubeconfigs carry them (not a real key).
const std::string kBase64 = "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUFiY2RlZmdo";

// Key material: a PEM private key marker or a secret-looking long base64 run.
bool has_key_material(const std::string& text) {
  return text.find("PRIVATE KEY-----") != std::string::npos ||
         text.find(kBase64.substr(0, 24)) != std::string::npos;
}

TEST(RedactTest, SecretFieldValuesAreReplaced) {
  for (const std::string& line : std::vector<std::string>{
           "    client-key-data: " + kBase64, "token: abc.def.ghi", "password=hunter2x",
           "  tls.key: " + kBase64, "\"client-key-data\": \"" + kBase64 + "\""}) {
    std::string redacted = redact_secrets(line);
    EXPECT_NE(redacted.find("[redacted]"), std::string::npos) << line;
    EXPECT_FALSE(has_key_material(redacted)) << redacted;
    EXPECT_EQ(redacted.find("hunter2x"), std::string::npos);
    EXPECT_EQ(redacted.find("abc.def"), std::string::npos);
  }
}

TEST(RedactTest, PrivateKeyBlocksAndBareBase64LinesAreReplaced) {
  std::string pem = "-----BEGIN EC PRIVATE KEY-----\n" + kBase64 + "\n-----END EC PRIVATE KEY-----";
  EXPECT_EQ(redact_secrets("before\n" + pem + "\nafter"), "before\n[private key redacted]\nafter");
  EXPECT_FALSE(has_key_material(redact_secrets(kBase64)));
  EXPECT_FALSE(has_key_material(redact_secrets("-----BEGIN PRIVATE KEY-----\n" + kBase64)));
}

TEST(RedactTest, OrdinaryTextIsLeftAlone) {
  for (const std::string line : {"etcd member cp1 is unhealthy", "key: value",
                                 "sha256 0123456789abcdef0123456789abcdef"
                                 "0123456789abcdef0123456789abcdef differs",
                                 "secretName: tls-cert", "-----BEGIN CERTIFICATE-----"})
    EXPECT_EQ(redact_secrets(line), line);
}

TEST(RedactTest, AFailedCommandNeverEchoesTheKubeconfigItPrinted) {
  // `cat admin.conf; false`: the last line of its output is a kubeconfig's key.
  auto result = run(
      {"sh", "-c", "printf 'users:\\n- user:\\n    client-key-data: " + kBase64 + "\\n'; exit 1"});
  ASSERT_TRUE(result);
  std::string described = result->describe("cat");
  EXPECT_FALSE(has_key_material(described)) << described;
  EXPECT_NE(described.find("client-key-data: [redacted]"), std::string::npos) << described;
}

TEST(RedactTest, AnErrorNeverEchoesTheSecretOnItsSourceLine) {
  Error error = Error::invalid_input("duplicate key client-key-data", {"admin.conf", 4, 5});
  error.source_line = "    client-key-data: " + kBase64;
  std::string printed = format_error(error);
  EXPECT_FALSE(has_key_material(printed)) << printed;
  EXPECT_NE(printed.find("client-key-data: [redacted]"), std::string::npos) << printed;
}

TEST(KeyMaterialTest, ABase64KeyLineIsFoundAndASha256DigestIsNot) {
  // The scanner the end-to-end tests run over every output (tests/support/key_material.h).
  EXPECT_EQ(testing::key_material("key " + kBase64 + " end").size(), 1u);
  std::string digest(64, 'a');
  digest.replace(10, 5, "01234");
  EXPECT_TRUE(testing::key_material("sha256sum -c <<< '" + digest + "  etcd'").empty());
  EXPECT_EQ(testing::key_material(digest + "G").size(), 1u);  // not hex: a base64 run
}

}  // namespace
}  // namespace zerospof::util
