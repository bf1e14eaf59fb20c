// The PKI, checked by the real openssl program: every chain verifies, SANs and usages are the
// ones each component needs, keys stay private, and a second render reuses everything.
#include "render/pki.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

using testing::find_program;
using testing::rendered;
using testing::run_program;

std::string openssl() { return find_program({"/usr/bin/openssl"}); }

std::string pki(const std::string& file) { return rendered().options.pki_dir + "/" + file; }

std::string extension(const std::string& file, const std::string& name) {
  auto result = run_program({openssl(), "x509", "-noout", "-ext", name, "-in", pki(file)});
  EXPECT_TRUE(result.succeeded()) << result.err;
  return result.out;
}

std::string ca_of(const std::string& stem) {
  if (stem.rfind("etcd-", 0) == 0 || stem == "apiserver-etcd-client") return "etcd-ca.crt";
  if (stem == "front-proxy-client") return "front-proxy-ca.crt";
  return "ca.crt";
}

TEST(PkiTest, EveryCertificateVerifiesAgainstItsCaWithOpenssl) {
  // Given the rendered PKI, `openssl verify` should accept every leaf under its own CA.
  if (openssl().empty()) GTEST_SKIP() << "openssl is not installed (scripts/install-deps.sh)";
  int verified = 0;
  for (const auto& entry : std::filesystem::directory_iterator(rendered().options.pki_dir)) {
    std::string name = entry.path().filename();
    if (entry.path().extension() != ".crt" || name.find("-ca.crt") != std::string::npos ||
        name == "ca.crt")
      continue;
    std::string stem = entry.path().stem();
    auto result = run_program({openssl(), "verify", "-CAfile", pki(ca_of(stem)), entry.path()});
    EXPECT_TRUE(result.succeeded()) << name << ": " << result.out << result.err;
    ++verified;
  }
  // apiserver, its kubelet client, its etcd and front-proxy clients, admin, 2 components,
  // kube-proxy, 5 nodes x (kubelet client + kubelet serving), 3 x (etcd server + peer).
  EXPECT_EQ(verified, 1 + 1 + 2 + 1 + 2 + 1 + 5 * 2 + 6);
}

TEST(PkiTest, ApiserverCertificateNamesEveryWayToReachTheApi) {
  if (openssl().empty()) GTEST_SKIP() << "openssl is not installed (scripts/install-deps.sh)";
  std::string sans = extension("apiserver.crt", "subjectAltName");
  for (const char* name :
       {"DNS:kubernetes,", "DNS:kubernetes.default,", "DNS:kubernetes.default.svc,",
        "DNS:kubernetes.default.svc.cluster.local", "DNS:localhost", "DNS:micklethefickle,",
        "DNS:blackboar.bolabaden.org", "IP Address:127.0.0.1", "IP Address:10.96.0.1,",
        "IP Address:198.18.7.100", "IP Address:198.18.7.11,", "IP Address:198.18.7.15"})
    EXPECT_NE(sans.find(name), std::string::npos) << name << " missing in " << sans;
  EXPECT_NE(extension("apiserver.crt", "extendedKeyUsage").find("TLS Web Server Authentication"),
            std::string::npos);
}

TEST(PkiTest, EtcdPeersAreBothServersAndClients) {
  if (openssl().empty()) GTEST_SKIP() << "openssl is not installed (scripts/install-deps.sh)";
  for (const char* file : {"etcd-peer-cloudserver1.crt", "etcd-server-cloudserver1.crt"}) {
    std::string usage = extension(file, "extendedKeyUsage");
    EXPECT_NE(usage.find("TLS Web Server Authentication, TLS Web Client Authentication"),
              std::string::npos)
        << file << ": " << usage;
    std::string sans = extension(file, "subjectAltName");
    EXPECT_NE(sans.find("IP Address:198.18.7.12"), std::string::npos) << sans;
    EXPECT_NE(sans.find("DNS:cloudserver1"), std::string::npos) << sans;
  }
}

TEST(PkiTest, ClientCertificatesCarryTheSubjectsKubernetesAuthorizes) {
  if (openssl().empty()) GTEST_SKIP() << "openssl is not installed (scripts/install-deps.sh)";
  auto subject = [&](const std::string& file) {
    return run_program(
               {openssl(), "x509", "-noout", "-subject", "-nameopt", "compat", "-in", pki(file)})
        .out;
  };
  EXPECT_EQ(subject("node-cloudserver3.crt"),
            "subject=/O=system:nodes/CN=system:node:cloudserver3\n");
  EXPECT_EQ(subject("controller-manager.crt"), "subject=/CN=system:kube-controller-manager\n");
  EXPECT_EQ(subject("scheduler.crt"), "subject=/CN=system:kube-scheduler\n");
  EXPECT_EQ(subject("admin.crt"), "subject=/O=system:masters/CN=zerospof-admin\n");
  // The built-in ClusterRoleBinding system:node-proxier names this user.
  EXPECT_EQ(subject("kube-proxy.crt"), "subject=/CN=system:kube-proxy\n");
  std::string usage = extension("node-cloudserver3.crt", "extendedKeyUsage");
  EXPECT_NE(usage.find("TLS Web Client Authentication"), std::string::npos);
  EXPECT_EQ(usage.find("Server"), std::string::npos) << usage;
}

// The apiservers reach a kubelet at its InternalIP and verify it against the cluster CA
// (--kubelet-certificate-authority): its serving certificate names that address and the node.
TEST(PkiTest, EachKubeletServesACertificateForItsNodesAddressAndName) {
  if (openssl().empty()) GTEST_SKIP() << "openssl is not installed (scripts/install-deps.sh)";
  std::string sans = extension("kubelet-serving-blackboar.crt", "subjectAltName");
  EXPECT_NE(sans.find("DNS:blackboar"), std::string::npos) << sans;
  EXPECT_NE(sans.find("IP Address:198.18.7.15"), std::string::npos) << sans;
  EXPECT_EQ(sans.find("198.18.7.11"), std::string::npos) << "another node's address: " << sans;
  std::string usage = extension("kubelet-serving-blackboar.crt", "extendedKeyUsage");
  EXPECT_NE(usage.find("TLS Web Server Authentication"), std::string::npos) << usage;
  EXPECT_EQ(usage.find("Client"), std::string::npos) << usage;
}

TEST(PkiTest, KeysArePrivateAndTheDirectoryIsClosed) {
  struct stat info;
  ASSERT_EQ(::stat(rendered().options.pki_dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  for (const auto& entry : std::filesystem::directory_iterator(rendered().options.pki_dir)) {
    if (entry.path().extension() != ".key") continue;
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << entry.path();
  }
}

TEST(PkiTest, SecondRenderReusesEveryCertificate) {
  // Given the same plan and PKI directory, a second render should be byte-identical.
  const testing::Rendered& first = rendered();
  auto again = render(first.cluster, first.options);
  ASSERT_TRUE(again) << util::format_error(again.error());
  ASSERT_EQ(again->files.size(), first.bundle.files.size());
  for (size_t i = 0; i < again->files.size(); ++i)
    EXPECT_EQ(again->files[i].content, first.bundle.files[i].content) << again->files[i].path;
}

TEST(PkiTest, ChangedSansReissueOnlyThatLeaf) {
  // Given a PKI made for one VIP, a new VIP should change the apiserver certificate only.
  std::string directory = testing::temporary_directory("reissue") + "/pki";
  auto opened = Pki::open(directory);
  ASSERT_TRUE(opened) << util::format_error(opened.error());
  auto ca = opened->ca("ca", "test-ca");
  ASSERT_TRUE(ca);
  CertSpec spec{"leaf", "leaf"};
  spec.server = true;
  spec.ip_addresses = {"198.18.7.100"};
  auto first = opened->leaf(*ca, spec);
  auto same = opened->leaf(*ca, spec);
  ASSERT_TRUE(first && same);
  EXPECT_EQ(first->cert_pem, same->cert_pem);
  EXPECT_EQ(opened->ca("ca", "test-ca")->cert_pem, ca->cert_pem);
  spec.ip_addresses = {"198.18.7.101"};
  auto changed = opened->leaf(*ca, spec);
  ASSERT_TRUE(changed);
  EXPECT_NE(changed->cert_pem, first->cert_pem);
  EXPECT_NE(changed->key_pem, first->key_pem);
}

TEST(PkiTest, DirectoryOpenToOthersIsRefused) {
  std::string directory = testing::temporary_directory("open-pki");
  ::chmod(directory.c_str(), 0755);
  auto opened = Pki::open(directory);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, util::ErrorCode::kFailedPrecondition);
  EXPECT_NE(opened.error().hint.find("chmod 700"), std::string::npos);
}

TEST(PkiTest, HalfACaIsNeverReplaced) {
  std::string directory = testing::temporary_directory("half-ca") + "/pki";
  auto opened = Pki::open(directory);
  ASSERT_TRUE(opened);
  ASSERT_TRUE(opened->ca("ca", "test-ca"));
  std::filesystem::remove(directory + "/ca.key");
  auto again = opened->ca("ca", "test-ca");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("only half"), std::string::npos);
}

// True when the key is the private half of the certificate's public key.
bool pair_matches(const KeyPair& pair) {
  BIO* cert_bio = BIO_new_mem_buf(pair.cert_pem.data(), static_cast<int>(pair.cert_pem.size()));
  BIO* key_bio = BIO_new_mem_buf(pair.key_pem.data(), static_cast<int>(pair.key_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  bool matches = cert && key && X509_check_private_key(cert, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  BIO_free(cert_bio);
  BIO_free(key_bio);
  ERR_clear_error();
  return matches;
}

class PkiPairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = testing::temporary_directory("pairs") + "/pki";
    auto opened = Pki::open(directory_);
    ASSERT_TRUE(opened) << util::format_error(opened.error());
    pki_.emplace(std::move(*opened));
    auto ca = pki_->ca("ca", "test-ca");
    ASSERT_TRUE(ca);
    ca_ = *ca;
    ASSERT_TRUE(pki_->leaf(ca_, first_));
    ASSERT_TRUE(pki_->leaf(ca_, second_));
  }
  std::string path(const std::string& name) const { return directory_ + "/" + name; }
  void copy(const std::string& from, const std::string& to) const {
    std::filesystem::copy_file(path(from), path(to),
                               std::filesystem::copy_options::overwrite_existing);
  }

  std::string directory_;
  std::optional<Pki> pki_;
  KeyPair ca_;
  CertSpec first_{"first", "first", {}, {}, {}, true};
  CertSpec second_{"second", "second", {}, {}, {}, true};
};

TEST_F(PkiPairTest, AMismatchedLeafPairIsAnErrorNamingBothFilesAndWhatToDo) {
  copy("second.key", "first.key");
  auto loaded = pki_->leaf(ca_, first_);
  ASSERT_FALSE(loaded) << "a key that is not the certificate's was shipped";
  EXPECT_EQ(loaded.error().code, util::ErrorCode::kFailedPrecondition);
  EXPECT_NE(loaded.error().message.find(path("first.key")), std::string::npos);
  EXPECT_NE(loaded.error().message.find(path("first.crt")), std::string::npos);
  EXPECT_NE(loaded.error().hint.find("remove both"), std::string::npos);
  EXPECT_EQ(loaded.error().message.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(PkiPairTest, AMismatchedCaPairIsAnErrorNamingBothFilesAndWhatToDo) {
  ASSERT_TRUE(pki_->ca("other-ca", "other"));
  copy("other-ca.key", "ca.key");
  auto loaded = pki_->ca("ca", "test-ca");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, util::ErrorCode::kFailedPrecondition);
  EXPECT_NE(loaded.error().message.find(path("ca.key")), std::string::npos);
  EXPECT_NE(loaded.error().message.find(path("ca.crt")), std::string::npos);
  EXPECT_NE(loaded.error().hint.find("backup"), std::string::npos);
}

TEST_F(PkiPairTest, AStoreCutBetweenItsRenamesIsFinishedOnTheNextLoad) {
  // A kill after the new key was renamed into place and before its certificate was: the staged
  // certificate is the commit point, so the next load completes the pair.
  copy("second.key", "first.key");
  copy("second.crt", "first.crt.next");
  auto loaded = pki_->leaf(ca_, first_);
  ASSERT_TRUE(loaded) << util::format_error(loaded.error());
  EXPECT_TRUE(pair_matches(*loaded));
  EXPECT_FALSE(std::filesystem::exists(path("first.crt.next")));
}

TEST_F(PkiPairTest, AStoreCutBeforeItsCertificateWasStagedLeavesTheOldPair) {
  auto before = pki_->leaf(ca_, first_);
  ASSERT_TRUE(before);
  copy("second.key", "first.key.next");
  auto loaded = pki_->leaf(ca_, first_);
  ASSERT_TRUE(loaded) << util::format_error(loaded.error());
  EXPECT_EQ(loaded->key_pem, before->key_pem);
  EXPECT_TRUE(pair_matches(*loaded));
  EXPECT_FALSE(std::filesystem::exists(path("first.key.next")));
}

}  // namespace
}  // namespace zerospof::render
