// Kubeconfigs, read back by the real kubectl (when the lab binaries are built).
#include "render/kubeconfig.h"

#include <gtest/gtest.h>

#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

TEST(KubeconfigTest, KubectlReadsTheAdminKubeconfig) {
  std::string kubectl =
      testing::find_program({testing::kLabBinaries + "/kubectl", "/usr/local/bin/kubectl"});
  if (kubectl.empty()) GTEST_SKIP() << "no kubectl (lab/binaries/build.sh builds it)";
  std::string path =
      testing::written_path(testing::rendered(), "", "/etc/zerospof/kubeconfig/admin.conf");
  auto result = testing::run_program(
      {kubectl, "config", "view", "--kubeconfig", path, "-o",
       "jsonpath={.clusters[0].cluster.server} {.users[0].name} {.current-context}"});
  EXPECT_TRUE(result.succeeded()) << result.err;
  EXPECT_EQ(result.out, "https://198.18.7.100:6443 zerospof-admin zerospof-admin@bolabaden");
}

TEST(KubeconfigTest, EmbedsCaCertificateAndKeyAsBase64) {
  KeyPair client{"CERT", "KEY"};
  std::string text = kubeconfig_text("c", "https://127.0.0.1:6443", "CA", client, "u");
  EXPECT_NE(text.find("certificate-authority-data: Q0E=\n"), std::string::npos);
  EXPECT_NE(text.find("client-certificate-data: Q0VSVA==\n"), std::string::npos);
  EXPECT_NE(text.find("client-key-data: S0VZ\n"), std::string::npos);
  EXPECT_NE(text.find("current-context: u@c\n"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::render
