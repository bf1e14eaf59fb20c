// The Debian package (cmake/package.cmake) installed as a user would, in a clean Debian 12 lab
// container with no network: apt resolves its Depends from a local directory of the packages
// they name (install-deps.sh fills it), so a library dpkg-shlibdeps missed is a binary that does
// not start here. Then the installed zerospof checks the built-in plan, renders it (the upstream
// manifests it carries, nothing outside the package) and has its man page and completions.
// Needs root, the lab's base image and the package scripts/test.sh builds (build/package).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "lab/base_image.h"
#include "lab/lab.h"
#include "support/scratch_directory.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::e2e {
namespace {

namespace fs = std::filesystem;

const fs::path kPackageDir = fs::path(ZEROSPOF_SOURCE_DIR) / "build" / "package";
const fs::path kDependencyDebs = "/var/cache/zerospof/debs";

std::string find_package() {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(kPackageDir, error)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("zerospof_") && name.ends_with(".deb")) return entry.path().string();
  }
  return "";
}

TEST(PackageTest, InstallsInACleanContainerWithNoNetworkAndChecksTheBuiltInPlan) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (a systemd-nspawn container)";
  const std::string package = find_package();
  if (package.empty())
    GTEST_SKIP() << "no package in " << kPackageDir << "; scripts/test.sh builds it";
  ASSERT_TRUE(fs::exists(kDependencyDebs / ".list"))
      << "no dependency .debs in " << kDependencyDebs << "; run scripts/install-deps.sh as root";
  auto image = lab::ensure_base_image("/var/cache/zerospof/lab", "", [](const std::string&) {});
  ASSERT_TRUE(image.has_value()) << image.error().message;

  // A file repository of the dependency .debs, indexed here, that the container sees read-only:
  // its index at /repo/Packages, the .debs below /repo/debs.
  testing::ScratchDirectory scratch("zerospof-package-test");
  const std::string repository = scratch.path() + "/repo";
  std::filesystem::create_directories(repository + "/debs");
  auto index = util::run({"sh", "-c",
                          "cd " + kDependencyDebs.parent_path().string() +
                              " && dpkg-scanpackages -m debs 2>/dev/null"},
                         {.timeout = std::chrono::seconds(120)});
  ASSERT_TRUE(index.has_value() && index->succeeded());
  ASSERT_TRUE(util::write_file_atomic(repository + "/Packages", index->out).has_value());

  const std::string script = R"script(set -e
exec 2>&1
rm -f /etc/apt/sources.list.d/*
echo 'deb [trusted=yes] file:/repo ./' > /etc/apt/sources.list
apt-get -q -o Acquire::Languages=none update >/dev/null
apt-get install -y -q --no-install-recommends /package/zerospof.deb >/tmp/install.log 2>&1 ||
  { cat /tmp/install.log; exit 10; }
echo "version: $(zerospof --version)"
cd /tmp
zerospof init plan.yaml >/dev/null
set +e
zerospof check plan.yaml >check.out 2>&1
echo "check exit: $?"
awk '/^    - name: /{print; n++; printf "      address: 198.18.0.%d/24\n", 10+n; next} {print}' \
  plan.yaml >addressed.yaml
zerospof render addressed.yaml --output-dir rendered >render.out 2>&1
echo "render exit: $?"
cat render.out | grep -i error || true
find rendered -name '*calico*.yaml' | grep -q . && echo "calico rendered: yes"
set -e
test -s /usr/share/man/man1/zerospof.1.gz && echo "man page: yes"
test -s /usr/share/bash-completion/completions/zerospof && echo "bash completion: yes"
test -s /usr/share/zsh/vendor-completions/_zerospof && echo "zsh completion: yes"
test -s /usr/share/doc/zerospof/copyright && echo "copyright: yes"
dpkg-query -W -f='depends: ${Depends}\n' zerospof
bash -c 'source /usr/share/bash-completion/completions/zerospof
  COMP_WORDS=(zerospof dr); COMP_CWORD=1; _zerospof; echo "completes dr: ${COMPREPLY[*]}"'
)script";
  auto run = util::run({"systemd-nspawn", "--quiet", "--register=no", "--keep-unit",
                        "--volatile=overlay", "--private-network", "--as-pid2", "-D",
                        image->string(), "--bind-ro=" + repository + ":/repo",
                        "--bind-ro=" + kDependencyDebs.string() + ":/repo/debs",
                        "--bind-ro=" + package + ":/package/zerospof.deb", "/bin/sh", "-c", script},
                       {.timeout = std::chrono::seconds(300)});
  ASSERT_TRUE(run.has_value()) << run.error().message;
  const std::string& out = run->out;
  ASSERT_EQ(run->exit_code, 0) << out << run->err;
  EXPECT_NE(out.find("version: zerospof "), std::string::npos) << out;
  EXPECT_NE(out.find("check exit: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("render exit: 0"), std::string::npos) << out;
  EXPECT_NE(out.find("calico rendered: yes"), std::string::npos) << out;
  EXPECT_NE(out.find("man page: yes"), std::string::npos) << out;
  EXPECT_NE(out.find("bash completion: yes"), std::string::npos) << out;
  EXPECT_NE(out.find("zsh completion: yes"), std::string::npos) << out;
  EXPECT_NE(out.find("copyright: yes"), std::string::npos) << out;
  EXPECT_NE(out.find("libcurl4"), std::string::npos) << "Depends has no libcurl4: " << out;
  EXPECT_NE(out.find("openssh-client"), std::string::npos) << out;
  EXPECT_NE(out.find("completes dr: drill"), std::string::npos) << out;
}

}  // namespace
}  // namespace zerospof::e2e
