// Reads the kubeconfig that apply writes for the operator (admin.conf): the API endpoint and the
// client credentials embedded in it. Only the parts zerospof writes are read: the first cluster
// and the first user, with the certificates inline (certificate-authority-data,
// client-certificate-data, client-key-data).
#pragma once

#include <string>

#include "observe/http.h"
#include "util/error.h"

namespace zerospof::observe {

struct Kubeconfig {
  std::string server;  // https://VIP:PORT
  TlsCredentials credentials;
};

// Errors name the file and the field that is missing or not base64.
util::Result<Kubeconfig> load_kubeconfig(const std::string& path);
util::Result<Kubeconfig> parse_kubeconfig(const std::string& text, const std::string& source);

}  // namespace zerospof::observe
