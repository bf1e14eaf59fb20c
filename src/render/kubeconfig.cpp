#include "render/kubeconfig.h"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace zerospof::render {

namespace {

std::string base64(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(data.data()),
                               static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

}  // namespace

std::string kubeconfig_text(const std::string& cluster_name, const std::string& server,
                            const std::string& ca_pem, const KeyPair& client,
                            const std::string& user) {
  return fmt::format(
      "apiVersion: v1\nkind: Config\nclusters:\n- name: {0}\n  cluster:\n"
      "    server: {1}\n    certificate-authority-data: {2}\n"
      "users:\n- name: {3}\n  user:\n    client-certificate-data: {4}\n"
      "    client-key-data: {5}\n"
      "contexts:\n- name: {3}@{0}\n  context:\n    cluster: {0}\n    user: {3}\n"
      "current-context: {3}@{0}\n",
      cluster_name, server, base64(ca_pem), user, base64(client.cert_pem), base64(client.key_pem));
}

}  // namespace zerospof::render
