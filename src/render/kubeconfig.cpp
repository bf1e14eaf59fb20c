#include "render/kubeconfig.h"

#include <fmt/format.h>

#include "util/base64.h"

namespace zerospof::render {

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
      cluster_name, server, util::encode_base64(ca_pem), user, util::encode_base64(client.cert_pem),
      util::encode_base64(client.key_pem));
}

}  // namespace zerospof::render
