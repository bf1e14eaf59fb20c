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
  for (testing::Variant variant :
       {testing::Variant::kVip, testing::Variant::kLab, testing::Variant::kLabRealPods}) {
    for (const File* unit : units(testing::rendered(variant))) {
      // verify insists that ExecStart's program exists: the real binary where the lab cache has
      // it, else /bin/true (before lab/binaries/build.sh has run). The unit's syntax, sections
      // and keys are what is checked.
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
  // Real hosts: 5 x (kubelet, containerd, kube-proxy, kernel settings), 3 etcd, 3 x 3
  // controllers, 3 fitness; the lab: 5 kwok, 3 etcd, 3 x 3, 3 fitness; the lab with real pods:
  // the real hosts' and 5 x (images, pod routes).
  EXPECT_GE(verified, (5 * 4 + 3 + 9 + 3) + (5 + 3 + 9 + 3) + (5 * 6 + 3 + 9 + 3));
}

TEST(UnitTest, EveryFlagExistsInThePinnedBinary) {
  std::set<std::string> checked;
  for (testing::Variant variant :
       {testing::Variant::kVip, testing::Variant::kLab, testing::Variant::kLabRealPods}) {
    for (const File* unit : units(testing::rendered(variant))) {
      std::string binary = binary_of(unit->content);
      if (binary.empty()) continue;  // the VIP fitness loop: /bin/bash, no pinned binary
      std::string program = testing::find_program({kBinaries + "/" + binary});
      if (program.empty()) continue;  // lab/binaries/build.sh has not run
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
  // etcd, kube-apiserver, -controller-manager, -scheduler, kwok; kubelet, kube-proxy, containerd
  EXPECT_EQ(checked.size(), 8u);
}

TEST(UnitTest, RestartsForeverWithOneFlagPerLine) {
  Unit unit{"test", {"/usr/local/bin/x", "--a=1", "--b=2"}, {"y.service"}, StartType::kNotify};
  std::string text = unit_text(unit);
  EXPECT_NE(text.find("ExecStart=/usr/local/bin/x \\\n  --a=1 \\\n  --b=2\n"), std::string::npos);
  EXPECT_NE(text.find("After=network-online.target y.service\n"), std::string::npos);
  EXPECT_NE(text.find("Type=notify\n"), std::string::npos);
  EXPECT_NE(text.find("Restart=always\n"), std::string::npos);
  EXPECT_NE(text.find("StartLimitIntervalSec=0\n"), std::string::npos);
  EXPECT_EQ(text.find("Delegate="), std::string::npos);
  EXPECT_EQ(text.find("KillMode="), std::string::npos);  // systemd's default: the whole group
}

// A container runtime's restart must not take its containers with it: systemd kills only the
// daemon (KillMode=process) and leaves the containers' cgroups below it to the runtime.
TEST(UnitTest, ARuntimeKeepsItsChildrenAcrossItsRestart) {
  Unit unit{"runtime", {"/usr/local/bin/runtime"}};
  unit.keeps_children = true;
  unit.oom_score_adjust = -999;
  unit.before_start = {{"-/sbin/modprobe", "overlay"}};
  std::string text = unit_text(unit);
  for (const char* line :
       {"Delegate=yes\n", "KillMode=process\n", "TasksMax=infinity\n", "OOMScoreAdjust=-999\n",
        "ExecStartPre=-/sbin/modprobe overlay\n", "Restart=always\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing in\n" << text;
  EXPECT_LT(text.find("ExecStartPre="), text.find("ExecStart=/usr/local/bin/runtime"));
}

// systemd refuses Restart=always on a oneshot unit ("Refusing"), so it has none, and stays
// active after its command has run so that units ordered after it start.
TEST(UnitTest, AOneshotUnitRunsOnceAndStaysActive) {
  Unit unit{"settings", {"/usr/lib/systemd/systemd-sysctl", "/etc/sysctl.d/x.conf"}};
  unit.type = StartType::kOneshot;
  std::string text = unit_text(unit);
  EXPECT_NE(text.find("Type=oneshot\nRemainAfterExit=yes\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Restart="), std::string::npos) << text;
}

// apply orders a host's restarts by the index entry's `after`: it must be what systemd reads.
TEST(UnitTest, TheIndexEntryStartsAfterWhatTheUnitTextStartsAfter) {
  Unit unit{"kubelet", {"/usr/local/bin/kubelet", "--v=2"}, {"a.service", "b.service"}};
  unit.wants = {"b.service", "c.service"};
  UnitEntry entry = unit_entry("kubelet.service", unit);
  EXPECT_EQ(entry.after, (std::vector<std::string>{"a.service", "b.service", "c.service"}));
  EXPECT_NE(unit_text(unit).find("\nAfter=network-online.target a.service b.service c.service\n"),
            std::string::npos)
      << unit_text(unit);
  EXPECT_EQ(entry.program, "kubelet");
  EXPECT_EQ(entry.flags, (std::map<std::string, std::string>{{"v", "2"}}));
}

}  // namespace
}  // namespace zerospof::render
