// The cluster's PKI, made with OpenSSL's libcrypto: three CAs (cluster, etcd, front-proxy), the
// service-account key pair and leaf certificates signed by them. Everything lives in one
// directory on the operator's machine (0700, keys 0600) and is reused on the next render, so
// renders are stable: a CA is generated only when absent, a leaf only when absent, when what it
// certifies (subject, SANs, usages) changed, when it no longer verifies against its CA, or when
// it expires within 30 days.
//
// Guarantees: a key and its certificate are written as one unit (staged, synced, renamed; a
// store cut short is finished or forgotten on the next load) and checked against each other
// when loaded, so a mismatched pair is never shipped: it is an error naming both files. No
// private key is ever part of an error message; every OpenSSL object is freed.
// Keys are ECDSA P-256 (fast, supported by every Kubernetes component and by etcd).
#pragma once

#include <string>
#include <vector>

#include "util/error.h"

namespace zerospof::render {

struct KeyPair {
  std::string cert_pem;  // for the service-account key: the public key PEM
  std::string key_pem;
};

struct CertSpec {
  std::string file;  // stem of the files in the PKI directory, e.g. "etcd-peer-cp1"
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool server = false;  // extendedKeyUsage serverAuth
  bool client = false;  // extendedKeyUsage clientAuth

  std::string describe() const;  // canonical text of all the above, to detect changes
};

class Pki {
 public:
  // Creates `directory` (0700) if needed; fails if it exists with wider permissions.
  static util::Result<Pki> open(std::string directory);

  // The CA named `file` (e.g. "ca", "etcd-ca"), generated once.
  util::Result<KeyPair> ca(const std::string& file, const std::string& common_name) const;
  // A leaf signed by `ca`, reused while it still matches `spec`.
  util::Result<KeyPair> leaf(const KeyPair& ca, const CertSpec& spec) const;
  // The service-account signing key pair (public key PEM in cert_pem), generated once.
  util::Result<KeyPair> key_pair(const std::string& file) const;

  const std::string& directory() const { return directory_; }

 private:
  explicit Pki(std::string directory) : directory_(std::move(directory)) {}
  std::string path(const std::string& name) const { return directory_ + "/" + name; }
  util::Result<KeyPair> issue(const KeyPair* ca, const CertSpec& spec, bool is_ca) const;
  util::Status store(const std::string& file, const KeyPair& pair) const;
  util::Status settle(const std::string& file) const;

  // Where store() stages a pair before renaming it into place.
  static constexpr const char* kStagedKey = ".key.next";
  static constexpr const char* kStagedCert = ".crt.next";

  std::string directory_;
};

}  // namespace zerospof::render
