// The systemd units, checked by `systemd-analyze verify`, and every flag of every ExecStart
// checked against the real program's --help (the lab binaries of lab/binaries/build.sh), so a
// unit never uses a flag that the pinned version does not have.
#include "render/unit.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

const std::string& kBinaries = testing::kLabBinaries;

std::vector<const File*> units(const testing::Rendered& r) {
  std::vector<const File*> found;
  for (const File& file : r.bundle.files)
    if (file.path.ends_with(".service")) found.push_back(&file);
  return found;
}

std::string binary_of(const std::string& unit) {
  std::smatch match;
  std::regex pattern("ExecStart=/usr/local/bin/([a-z-]+)");
  return std::regex_search(unit, match, pattern) ? match[1].str() : "";
}

TEST(UnitTest, EveryUnitPassesSystemdAnalyzeVerify) {
  std::string analyze = testing::find_program({"/usr/bin/systemd-analyze", "/bin/systemd-analyze"});
  if (analyze.empty()) GTEST_SKIP() << "systemd-analyze is not installed (scripts/install-deps.sh)";
  int verified = 0;
  for (testing::Variant variant : {testing::Variant::kVip, testing::Variant::kLab}) {
    for (const File* unit : units(testing::rendered(variant))) {
      // verify insists that ExecStart's program exists: the real binary where the lab cache has
      // it, else /bin/true (containerd and kubelet are not built for the lab). The unit's
      // syntax, sections and keys are what is checked.
      std::string binary = binary_of(unit->content);
      std::string stand_in = testing::find_program({kBinaries + "/" + binary, "/bin/true"});
      std::string text = testing::replace_all(unit->content, "/usr/local/bin/" + binary, stand_in);
      std::string name = unit->path.substr(unit->path.rfind('/') + 1);
      std::string copy = testing::temporary_directory("units") + "/" + name;
      testing::write_text(copy, text);
      auto result = testing::run_program({analyze, "verify", copy});
      EXPECT_TRUE(result.succeeded()) << unit->host << " " << name << ": " << result.err;
      EXPECT_EQ(result.err, "") << unit->host << " " << name;  // unknown keys only warn
      ++verified;
    }
  }
  EXPECT_GE(verified, 5 * 2 + 3 * 4 + 5);
}

TEST(UnitTest, EveryFlagExistsInThePinnedBinary) {
  std::set<std::string> checked;
  for (testing::Variant variant : {testing::Variant::kVip, testing::Variant::kLab}) {
    for (const File* unit : units(testing::rendered(variant))) {
      std::string binary = binary_of(unit->content);
      if (binary.empty()) continue;  // the VIP fitness loop: /bin/bash, no pinned binary
      std::string program = testing::find_program({kBinaries + "/" + binary});
      if (program.empty()) continue;  // containerd, kubelet: not in the lab cache
      auto help = testing::run_program({program, "--help"});
      std::string text = help.out + help.err;
      std::regex flag("\\s(--[a-z0-9-]+)=");
      for (auto it = std::sregex_iterator(unit->content.begin(), unit->content.end(), flag);
           it != std::sregex_iterator(); ++it) {
        std::string name = (*it)[1].str();
        EXPECT_TRUE(std::regex_search(text, std::regex("\\s" + name + "[ =\\n]")))
            << binary << " has no flag " << name;
        checked.insert(binary);
      }
    }
  }
  if (checked.empty())
    GTEST_SKIP() << "no lab binaries in " << kBinaries << " (lab/binaries/build.sh)";
  EXPECT_EQ(checked.size(), 5u);  // etcd, kube-apiserver, -controller-manager, -scheduler, kwok
}

TEST(UnitTest, RestartsForeverWithOneFlagPerLine) {
  Unit unit{"test", {"/usr/local/bin/x", "--a=1", "--b=2"}, {"y.service"}, true};
  std::string text = unit_text(unit);
  EXPECT_NE(text.find("ExecStart=/usr/local/bin/x \\\n  --a=1 \\\n  --b=2\n"), std::string::npos);
  EXPECT_NE(text.find("After=network-online.target y.service\n"), std::string::npos);
  EXPECT_NE(text.find("Type=notify\n"), std::string::npos);
  EXPECT_NE(text.find("Restart=always\n"), std::string::npos);
  EXPECT_NE(text.find("StartLimitIntervalSec=0\n"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::render
