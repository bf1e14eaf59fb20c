// The admin kubeconfig as render writes it reads back to the same server and credentials; what
// zerospof cannot use is refused with the field named.
#include "observe/kubeconfig.h"

#include <gtest/gtest.h>

#include "render/kubeconfig.h"

namespace zerospof::observe {
namespace {

const std::string kCa = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";

TEST(KubeconfigTest, WhatRenderWritesReadsBackWhole) {
  render::KeyPair admin{
      .cert_pem = "-----BEGIN CERTIFICATE-----\nadmin\n-----END CERTIFICATE-----\n",
      .key_pem = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n"};
  std::string text =
      render::kubeconfig_text("homelab", "https://198.18.0.2:6443", kCa, admin, "zerospof-admin");
  auto config = parse_kubeconfig(text, "admin.conf");
  ASSERT_TRUE(config) << util::format_error(config.error());
  EXPECT_EQ(config->server, "https://198.18.0.2:6443");
  EXPECT_EQ(config->credentials.ca_pem, kCa);
  EXPECT_EQ(config->credentials.cert_pem, admin.cert_pem);
  EXPECT_EQ(config->credentials.key_pem, admin.key_pem);
}

TEST(KubeconfigTest, AMissingUserOrABadBase64IsNamedAndNoKeyIsPrinted) {
  auto missing = parse_kubeconfig(
      "apiVersion: v1\nclusters:\n- cluster:\n    server: https://a:1\n"
      "    certificate-authority-data: AAAA\n  name: c\n",
      "admin.conf");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("users[0].user"), std::string::npos);
  auto bad = parse_kubeconfig(
      "clusters:\n- cluster:\n    server: https://a:1\n    certificate-authority-data: AAAA\n"
      "users:\n- user:\n    client-certificate-data: AAAA\n    client-key-data: 'c2Vj!!!'\n",
      "admin.conf");
  ASSERT_FALSE(bad);
  std::string message = util::format_error(bad.error());
  EXPECT_NE(message.find("client-key-data is not base64"), std::string::npos) << message;
  EXPECT_NE(message.find("admin.conf:8:"), std::string::npos) << message;
  auto plain = parse_kubeconfig(
      "clusters:\n- cluster:\n    server: http://a:1\n    certificate-authority-data: AAAA\n"
      "users:\n- user:\n    client-certificate-data: AAAA\n    client-key-data: AAAA\n",
      "admin.conf");
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message.find("is not https"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::observe
