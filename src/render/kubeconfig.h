// Kubeconfig files for clients with a client certificate: one cluster, one user, one context,
// the CA and the key embedded (base64), so that each file is self-contained. The content holds
// a private key: callers mark the File secret with mode 0600.
#pragma once

#include <string>

#include "render/pki.h"

namespace zerospof::render {

std::string kubeconfig_text(const std::string& cluster_name, const std::string& server,
                            const std::string& ca_pem, const KeyPair& client,
                            const std::string& user);

}  // namespace zerospof::render
