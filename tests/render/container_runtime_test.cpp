// containerd on real hosts: a unit under which containers outlive a restart of containerd, and a
// config that the pinned containerd reads as meant (checked with containerd's own
// `config dump`: the effective values, and no key containerd does not know).
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "model/pinned_versions.h"
#include "render/layout.h"
#include "render/render_fixture.h"

namespace zerospof::render {
namespace {

const File& containerd_unit(const std::string& host) {
  const File* unit = testing::find_file(testing::rendered().bundle, host,
                                        layout::unit_path(layout::kContainerdUnit));
  EXPECT_NE(unit, nullptr) << host;
  static const File none;
  return unit != nullptr ? *unit : none;
}

TEST(ContainerRuntimeTest, ContainersOutliveARestartOfContainerd) {
  // Without Delegate=yes and KillMode=process, systemd kills the whole cgroup of the unit on a
  // restart: every container of the node with containerd.
  const std::string& text = containerd_unit("blackboar").content;
  for (const char* line :
       {"Type=notify\n", "Delegate=yes\n", "KillMode=process\n", "OOMScoreAdjust=-999\n",
        "ExecStartPre=-/sbin/modprobe overlay\n", "Restart=always\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing in\n" << text;
  EXPECT_EQ(testing::exec_start(text),
            (std::vector<std::string>{"/usr/local/bin/containerd",
                                      "--config=/etc/containerd/config.toml"}));
  const Bundle& lab = testing::rendered(testing::Variant::kLab).bundle;
  EXPECT_EQ(testing::find_file(lab, "blackboar", layout::unit_path(layout::kContainerdUnit)),
            nullptr);
  EXPECT_EQ(testing::find_file(lab, "blackboar", layout::kContainerdConfig), nullptr);
}

TEST(ContainerRuntimeTest, TheRuntimesCgroupDriverIsTheKubelets) {
  const Bundle& bundle = testing::rendered().bundle;
  const File* config = testing::find_file(bundle, "blackboar", layout::kContainerdConfig);
  const File* kubelet = testing::find_file(
      bundle, "blackboar", std::string(layout::kConfigDir) + "/kubelet-config.yaml");
  ASSERT_NE(config, nullptr);
  ASSERT_NE(kubelet, nullptr);
  EXPECT_NE(config->content.find("SystemdCgroup = true\n"), std::string::npos);
  EXPECT_NE(kubelet->content.find("cgroupDriver: systemd\n"), std::string::npos);
  EXPECT_NE(kubelet->content.find(std::string("containerRuntimeEndpoint: unix://") +
                                  layout::kContainerdSocket),
            std::string::npos);
}

// The keys of a TOML text as containerd dumps it: "[table] key" for each key, and "[table]".
std::set<std::string> keys_of(const std::string& dump) {
  std::set<std::string> keys;
  std::istringstream lines(dump);
  std::string table;
  for (std::string line; std::getline(lines, line);) {
    line.erase(0, line.find_first_not_of(' '));
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      table = line;
      keys.insert(table);
    } else if (auto equals = line.find(" = "); equals != std::string::npos) {
      keys.insert(table + " " + line.substr(0, equals));
    }
  }
  return keys;
}

// Keys in `dump` that containerd's default configuration does not have.
std::vector<std::string> unknown_keys(const std::string& dump, const std::string& defaults) {
  std::set<std::string> known = keys_of(defaults);
  std::vector<std::string> unknown;
  for (const std::string& key : keys_of(dump))
    if (!known.count(key)) unknown.push_back(key);
  return unknown;
}

TEST(ContainerRuntimeTest, ThePinnedContainerdReadsTheConfigAsMeant) {
  std::string containerd = testing::find_program({testing::kLabBinaries + "/containerd"});
  if (containerd.empty()) GTEST_SKIP() << "no containerd in " << testing::kLabBinaries;
  const testing::Rendered& r = testing::rendered();
  std::string path = testing::written_path(r, "blackboar", layout::kContainerdConfig);
  auto dump = testing::run_program({containerd, "--config", path, "config", "dump"});
  ASSERT_TRUE(dump.succeeded()) << dump.err;
  auto defaults = testing::run_program({containerd, "config", "default"});
  ASSERT_TRUE(defaults.succeeded()) << defaults.err;
  EXPECT_EQ(unknown_keys(dump.out, defaults.out), std::vector<std::string>{});
  // The values containerd will use, as it reads them.
  for (std::string line :
       {std::string("sandbox = '") + std::string(model::pinned::kPauseImage) + "'\n",
        std::string("address = '") + layout::kContainerdSocket + "'\n",
        std::string("BinaryName = '/usr/local/bin/runc'\n"), std::string("SystemdCgroup = true\n"),
        std::string("bin_dirs = ['/opt/cni/bin']\n"), std::string("conf_dir = '/etc/cni/net.d'\n")})
    EXPECT_NE(dump.out.find(line), std::string::npos) << line;
  // The comparison can fail: a misspelt key is one containerd does not know.
  std::string misspelt = testing::temporary_directory("containerd-config") + "/config.toml";
  testing::write_text(
      misspelt, testing::replace_all(*util::read_file(path), "SystemdCgroup", "SystemdCgroups"));
  auto wrong = testing::run_program({containerd, "--config", misspelt, "config", "dump"});
  EXPECT_NE(unknown_keys(wrong.out, defaults.out), std::vector<std::string>{});
}

}  // namespace
}  // namespace zerospof::render
