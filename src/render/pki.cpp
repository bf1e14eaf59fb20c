#include "render/pki.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>

#include "util/files.h"

namespace zerospof::render {

namespace {

using util::Error;
using util::Result;
using util::Status;

template <auto free_function>
struct Free {
  template <class T>
  void operator()(T* pointer) const {
    free_function(pointer);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Free<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free_all>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;

constexpr long kCaDays = 3650;
constexpr long kLeafDays = 365;
constexpr long kRenewDays = 30;  // a leaf closer than this to its end is issued again

// The library's reason for the last failure; OpenSSL's messages never contain key material.
Error openssl_error(const std::string& what) {
  unsigned long code = ERR_get_error();
  char reason[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  return Error::internal(fmt::format("OpenSSL: {}: {}", what, reason));
}

Result<std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size < 0) return util::fail(openssl_error("reading a memory buffer"));
  return std::string(data, static_cast<size_t>(size));
}

template <class Write>
Result<std::string> to_pem(Write write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return util::fail(openssl_error("writing PEM"));
  return bio_text(bio.get());
}

Result<std::string> key_pem(EVP_PKEY* key) {
  return to_pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

Result<std::string> public_pem(EVP_PKEY* key) {
  return to_pem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key); });
}

Result<std::string> cert_pem(X509* cert) {
  return to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
}

Result<KeyPtr> parse_key(const std::string& pem, const std::string& file) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return util::fail(openssl_error("reading the private key in " + file));
  return key;
}

Result<CertPtr> parse_cert(const std::string& pem, const std::string& file) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return util::fail(openssl_error("reading the certificate in " + file));
  return cert;
}

Result<KeyPtr> generate_key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return util::fail(openssl_error("generating an EC P-256 key"));
  return key;
}

bool exists(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

Status add_extension(X509* cert, X509V3_CTX& context, int nid, const std::string& value) {
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1)
    return util::fail(openssl_error(fmt::format("adding extension {}", OBJ_nid2sn(nid))));
  return {};
}

std::string subject_alt_names(const CertSpec& spec) {
  std::vector<std::string> names;
  for (const std::string& dns : spec.dns_names) names.push_back("DNS:" + dns);
  for (const std::string& ip : spec.ip_addresses) names.push_back("IP:" + ip);
  return fmt::format("{}", fmt::join(names, ","));
}

Status set_subject(X509* cert, const CertSpec& spec) {
  X509_NAME* name = X509_get_subject_name(cert);
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  for (const std::string& organization : spec.organizations)
    if (!add("O", organization)) return util::fail(openssl_error("setting the subject"));
  if (!add("CN", spec.common_name)) return util::fail(openssl_error("setting the subject"));
  return {};
}

Status set_serial_and_validity(X509* cert, long days) {
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)))
    return util::fail(openssl_error("choosing a serial number"));
  // An hour of slack for hosts whose clocks lag the operator's machine.
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), -3600) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert), days * 86400))
    return util::fail(openssl_error("setting the validity"));
  return {};
}

Status add_extensions(X509* cert, X509* issuer, const CertSpec& spec, bool is_ca) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  ZEROSPOF_RETURN_IF_ERROR(add_extension(cert, context, NID_basic_constraints,
                                         is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  ZEROSPOF_RETURN_IF_ERROR(add_extension(
      cert, context, NID_key_usage,
      is_ca ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature"));
  ZEROSPOF_RETURN_IF_ERROR(add_extension(cert, context, NID_subject_key_identifier, "hash"));
  if (!is_ca)
    ZEROSPOF_RETURN_IF_ERROR(
        add_extension(cert, context, NID_authority_key_identifier, "keyid:always"));
  std::vector<std::string> usages;
  if (spec.server) usages.push_back("serverAuth");
  if (spec.client) usages.push_back("clientAuth");
  if (!usages.empty())
    ZEROSPOF_RETURN_IF_ERROR(
        add_extension(cert, context, NID_ext_key_usage, fmt::format("{}", fmt::join(usages, ","))));
  if (!spec.dns_names.empty() || !spec.ip_addresses.empty())
    ZEROSPOF_RETURN_IF_ERROR(
        add_extension(cert, context, NID_subject_alt_name, subject_alt_names(spec)));
  return {};
}

// True when `cert` was signed by `ca` and stays valid for more than kRenewDays. The wall clock
// is the right clock here: certificate validity is wall-clock time on every host.
bool still_good(X509* cert, X509* ca) {
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  if (!ca_key || X509_verify(cert, ca_key) != 1) {
    ERR_clear_error();
    return false;
  }
  std::time_t limit = std::time(nullptr) + kRenewDays * 86400;
  return X509_cmp_time(X509_get0_notAfter(cert), &limit) > 0;
}

// The key must be the private half of the certificate's public key: a certificate shipped with
// another key fails every TLS handshake (and, for a CA, every certificate issued afterwards).
Status check_pair(X509* cert, EVP_PKEY* key, const std::string& cert_path,
                  const std::string& key_path, const std::string& hint) {
  if (X509_check_private_key(cert, key) == 1) return {};
  ERR_clear_error();
  return util::fail(Error::failed_precondition(
      fmt::format("{} is not the private key of the certificate {}", key_path, cert_path), hint));
}

std::string rename_error(const std::string& from, const std::string& to) {
  return fmt::format("cannot rename {} to {}: {}", from, to, std::strerror(errno));
}

}  // namespace

std::string CertSpec::describe() const {
  return fmt::format("CN={}\nO={}\nDNS={}\nIP={}\nserver={}\nclient={}\n", common_name,
                     fmt::join(organizations, ","), fmt::join(dns_names, ","),
                     fmt::join(ip_addresses, ","), server, client);
}

Result<Pki> Pki::open(std::string directory) {
  std::error_code error;
  if (!exists(directory)) {
    std::filesystem::create_directories(directory, error);
    if (error || ::chmod(directory.c_str(), 0700) != 0)
      return util::fail(Error::failed_precondition(
          fmt::format("cannot create the PKI directory {}: {}", directory, error.message())));
  }
  ZEROSPOF_RETURN_IF_ERROR(util::check_private_directory(directory, "the PKI directory"));
  struct stat info;
  if (::stat(directory.c_str(), &info) != 0 || (info.st_mode & 077) != 0)
    return util::fail(Error::failed_precondition(
        fmt::format("the PKI directory {} is open to other users (mode {:o})", directory,
                    info.st_mode & 0777),
        fmt::format("it holds the CA keys: chmod 700 {}", directory)));
  return Pki(std::move(directory));
}

// One unit on disk: NAME.key.next, then NAME.crt.next, each complete and synced, then the key
// renamed into place, then the certificate. The staged certificate is the commit point (it
// exists only once both halves are whole), which settle() relies on after a kill.
Status Pki::store(const std::string& file, const KeyPair& pair) const {
  ZEROSPOF_RETURN_IF_ERROR(
      util::write_file_atomic(path(file + kStagedKey), pair.key_pem, {0600, true}));
  ZEROSPOF_RETURN_IF_ERROR(
      util::write_file_atomic(path(file + kStagedCert), pair.cert_pem, {0644, true}));
  return settle(file);
}

// Finishes or forgets a store() that was cut short, so a pair on disk is always the old one or
// the new one: with the staged certificate the new pair is committed and its renames are
// finished; a staged key alone never committed and is removed.
Status Pki::settle(const std::string& file) const {
  std::string staged_key = path(file + kStagedKey), staged_cert = path(file + kStagedCert);
  if (!exists(staged_cert)) {
    ::unlink(staged_key.c_str());
    return {};
  }
  for (const auto& [from, to] :
       {std::pair{staged_key, path(file + ".key")}, std::pair{staged_cert, path(file + ".crt")}}) {
    if (exists(from) && ::rename(from.c_str(), to.c_str()) != 0)
      return util::fail(Error::failed_precondition(rename_error(from, to)));
  }
  return {};
}

Result<KeyPair> Pki::issue(const KeyPair* ca, const CertSpec& spec, bool is_ca) const {
  ZEROSPOF_ASSIGN_OR_RETURN(KeyPtr key, generate_key());
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1)
    return util::fail(openssl_error("making a certificate"));
  ZEROSPOF_RETURN_IF_ERROR(set_serial_and_validity(cert.get(), is_ca ? kCaDays : kLeafDays));
  ZEROSPOF_RETURN_IF_ERROR(set_subject(cert.get(), spec));
  CertPtr issuer_cert;
  KeyPtr issuer_key;
  if (ca) {
    ZEROSPOF_ASSIGN_OR_RETURN(issuer_cert, parse_cert(ca->cert_pem, "the CA"));
    ZEROSPOF_ASSIGN_OR_RETURN(issuer_key, parse_key(ca->key_pem, "the CA"));
  }
  X509* issuer = ca ? issuer_cert.get() : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1)
    return util::fail(openssl_error("setting the issuer"));
  ZEROSPOF_RETURN_IF_ERROR(add_extensions(cert.get(), issuer, spec, is_ca));
  if (X509_sign(cert.get(), ca ? issuer_key.get() : key.get(), EVP_sha256()) <= 0)
    return util::fail(openssl_error("signing " + spec.file));
  KeyPair pair;
  ZEROSPOF_ASSIGN_OR_RETURN(pair.cert_pem, cert_pem(cert.get()));
  ZEROSPOF_ASSIGN_OR_RETURN(pair.key_pem, key_pem(key.get()));
  return pair;
}

Result<KeyPair> Pki::ca(const std::string& file, const std::string& common_name) const {
  ZEROSPOF_RETURN_IF_ERROR(settle(file));
  bool have_cert = exists(path(file + ".crt")), have_key = exists(path(file + ".key"));
  if (have_cert != have_key)
    return util::fail(Error::failed_precondition(
        fmt::format("{} has only half of the CA {} (certificate or key)", directory_, file),
        "restore the missing file from a backup; zerospof never replaces a CA"));
  if (have_cert) {
    KeyPair pair;
    ZEROSPOF_ASSIGN_OR_RETURN(pair.cert_pem, util::read_file(path(file + ".crt")));
    ZEROSPOF_ASSIGN_OR_RETURN(pair.key_pem, util::read_file(path(file + ".key")));
    ZEROSPOF_ASSIGN_OR_RETURN(CertPtr cert, parse_cert(pair.cert_pem, path(file + ".crt")));
    ZEROSPOF_ASSIGN_OR_RETURN(KeyPtr key, parse_key(pair.key_pem, path(file + ".key")));
    ZEROSPOF_RETURN_IF_ERROR(check_pair(
        cert.get(), key.get(), path(file + ".crt"), path(file + ".key"),
        "restore both files of this CA from the same backup; zerospof never replaces a CA (only "
        "if no cluster trusts it yet: remove both and render again)"));
    return pair;
  }
  CertSpec spec{file, common_name};
  ZEROSPOF_ASSIGN_OR_RETURN(KeyPair pair, issue(nullptr, spec, true));
  ZEROSPOF_RETURN_IF_ERROR(store(file, pair));
  return pair;
}

Result<KeyPair> Pki::leaf(const KeyPair& ca, const CertSpec& spec) const {
  std::string spec_path = path(spec.file + ".spec");
  ZEROSPOF_RETURN_IF_ERROR(settle(spec.file));
  if (exists(path(spec.file + ".crt")) && exists(path(spec.file + ".key")) && exists(spec_path)) {
    ZEROSPOF_ASSIGN_OR_RETURN(std::string recorded, util::read_file(spec_path));
    KeyPair pair;
    ZEROSPOF_ASSIGN_OR_RETURN(pair.cert_pem, util::read_file(path(spec.file + ".crt")));
    ZEROSPOF_ASSIGN_OR_RETURN(pair.key_pem, util::read_file(path(spec.file + ".key")));
    ZEROSPOF_ASSIGN_OR_RETURN(CertPtr cert, parse_cert(pair.cert_pem, spec.file + ".crt"));
    ZEROSPOF_ASSIGN_OR_RETURN(KeyPtr key, parse_key(pair.key_pem, spec.file + ".key"));
    ZEROSPOF_RETURN_IF_ERROR(check_pair(cert.get(), key.get(), path(spec.file + ".crt"),
                                        path(spec.file + ".key"),
                                        "remove both files; the next render issues a new pair"));
    ZEROSPOF_ASSIGN_OR_RETURN(CertPtr ca_cert, parse_cert(ca.cert_pem, "the CA"));
    if (recorded == spec.describe() && still_good(cert.get(), ca_cert.get())) return pair;
  }
  ZEROSPOF_ASSIGN_OR_RETURN(KeyPair pair, issue(&ca, spec, false));
  ZEROSPOF_RETURN_IF_ERROR(store(spec.file, pair));
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic(spec_path, spec.describe(), {0644, true}));
  return pair;
}

Result<KeyPair> Pki::key_pair(const std::string& file) const {
  KeyPtr key;
  KeyPair pair;
  if (exists(path(file + ".key"))) {
    ZEROSPOF_ASSIGN_OR_RETURN(pair.key_pem, util::read_file(path(file + ".key")));
    ZEROSPOF_ASSIGN_OR_RETURN(key, parse_key(pair.key_pem, path(file + ".key")));
  } else {
    ZEROSPOF_ASSIGN_OR_RETURN(key, generate_key());
    ZEROSPOF_ASSIGN_OR_RETURN(pair.key_pem, key_pem(key.get()));
    ZEROSPOF_RETURN_IF_ERROR(
        util::write_file_atomic(path(file + ".key"), pair.key_pem, {0600, true}));
  }
  ZEROSPOF_ASSIGN_OR_RETURN(pair.cert_pem, public_pem(key.get()));
  return pair;
}

}  // namespace zerospof::render
