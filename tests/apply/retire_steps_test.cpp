// retire_steps: the real retire script against a directory standing in for the host
// (RootedTransport) with a stand-in systemctl that records its calls: a unit an earlier apply
// started and the bundle no longer names is disabled and stopped, a file it no longer has is
// removed, what it still has is left alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "apply/steps.h"
#include "support/rooted_transport.h"
#include "util/files.h"

namespace zerospof::apply {
namespace {

namespace fs = std::filesystem;

class RetireStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / ("retire-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "var/lib/zerospof/applied");
    fs::create_directories(root_ / "etc/keepalived");
    fs::create_directories(root_ / "etc/zerospof");
    fs::create_directories(root_ / "bin");
    // Records its calls; a stopped unit is inactive (is-active exits 3).
    write("bin/systemctl",
          "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/systemctl.log\"\n"
          "case \"$*\" in is-active*) exit 3;; esac\n",
          0755);
    path_ = std::getenv("PATH") ? std::getenv("PATH") : "";
    ::setenv("PATH", ((root_ / "bin").string() + ":" + path_).c_str(), 1);
  }
  void TearDown() override {
    ::setenv("PATH", path_.c_str(), 1);
    fs::remove_all(root_);
  }

  void write(const std::string& relative, const std::string& content, unsigned mode = 0644) {
    ASSERT_TRUE(util::write_file_atomic((root_ / relative).string(), content,
                                        {.mode = mode, .overwrite = true}));
  }
  // Where the host path `path` is on this stand-in host.
  std::string at(const std::string& path) const { return root_.string() + path; }
  bool exists(const std::string& relative) const { return fs::exists(root_ / relative); }
  std::string read(const std::string& relative) const {
    return util::read_file((root_ / relative).string()).value_or("");
  }

  Step step(const std::vector<std::string>& units, const std::vector<std::string>& files) {
    StepGraph graph;
    EXPECT_TRUE(add_retire_step(graph, "host", units, files, {}));
    return *graph.find("retire@host");
  }

  fs::path root_;
  std::string path_;
};

TEST_F(RetireStepTest, AUnitAndFilesTheBundleNoLongerHasAreRetiredTheRestStays) {
  // An earlier apply with the fast tuning: the fitness service and its script.
  write("var/lib/zerospof/applied/zerospof-etcd.service", "digest\n");
  write("var/lib/zerospof/applied/zerospof-vip-fitness.service", "digest\n");
  write("var/lib/zerospof/applied/binary-etcd", "stamp\n");
  // The list holds the host's paths; on this stand-in host they are below the root (the
  // transport moves the paths of the script the same way).
  write("var/lib/zerospof/applied/files",
        at("/etc/keepalived/vip-fitness.sh") + "\n" + at("/etc/zerospof/kept.conf") + "\n");
  write("etc/keepalived/vip-fitness.sh", "#!/bin/bash\n");
  write("etc/zerospof/kept.conf", "x\n");
  testing::RootedTransport host(root_.string(), {"/var/lib/zerospof", "/etc/"});
  Step retire = step({"zerospof-etcd.service"}, {"/etc/zerospof/kept.conf"});
  EXPECT_FALSE(retire.check(host).value());
  ASSERT_TRUE(retire.run(host));
  EXPECT_NE(read("bin/systemctl.log").find("stop zerospof-vip-fitness.service"), std::string::npos)
      << read("bin/systemctl.log");
  EXPECT_NE(read("bin/systemctl.log").find("disable --quiet zerospof-vip-fitness.service"),
            std::string::npos);
  EXPECT_EQ(read("bin/systemctl.log").find("zerospof-etcd.service"), std::string::npos);
  EXPECT_FALSE(exists("var/lib/zerospof/applied/zerospof-vip-fitness.service"));
  EXPECT_FALSE(exists("etc/keepalived/vip-fitness.sh"));
  EXPECT_TRUE(exists("var/lib/zerospof/applied/zerospof-etcd.service"));
  EXPECT_TRUE(exists("var/lib/zerospof/applied/binary-etcd"));
  EXPECT_TRUE(exists("etc/zerospof/kept.conf"));
  EXPECT_EQ(read("var/lib/zerospof/applied/files"), at("/etc/zerospof/kept.conf") + "\n");
  EXPECT_TRUE(retire.check(host).value());  // a second apply has nothing to retire
}

TEST_F(RetireStepTest, TheFirstApplyOnlyRecordsWhatItWrote) {
  write("var/lib/zerospof/applied/zerospof-etcd.service", "digest\n");
  write("etc/zerospof/kept.conf", "x\n");
  testing::RootedTransport host(root_.string(), {"/var/lib/zerospof", "/etc/"});
  Step retire = step({"zerospof-etcd.service"}, {"/etc/zerospof/kept.conf", "/etc/zerospof/a b"});
  EXPECT_FALSE(retire.check(host).value());  // no list yet
  ASSERT_TRUE(retire.run(host));
  EXPECT_EQ(read("bin/systemctl.log"), "daemon-reload\n");
  EXPECT_TRUE(exists("etc/zerospof/kept.conf"));
  EXPECT_EQ(read("var/lib/zerospof/applied/files"),
            at("/etc/zerospof/a b") + "\n" + at("/etc/zerospof/kept.conf") + "\n");
  EXPECT_TRUE(retire.check(host).value());
}

// An etcd member leaves its cluster only by `member remove` (quorum changes): retire refuses and
// says so; nftables' stop would flush every table: same. Neither is touched.
TEST_F(RetireStepTest, AnEtcdMemberOrTheFirewallIsNeverRetiredByApply) {
  for (const char* unit : {"zerospof-etcd.service", "nftables.service"}) {
    write(std::string("var/lib/zerospof/applied/") + unit, "digest\n");
    testing::RootedTransport host(root_.string(), {"/var/lib/zerospof", "/etc/"});
    Step retire = step({}, {});
    EXPECT_FALSE(retire.run(host)) << unit;
    EXPECT_TRUE(exists(std::string("var/lib/zerospof/applied/") + unit)) << unit;
    EXPECT_EQ(read("bin/systemctl.log"), "") << unit;
    fs::remove(root_ / "var/lib/zerospof/applied" / unit);
  }
}

// A unit purged by hand (its file gone) only loses its stamp; retire does not get stuck on it.
TEST_F(RetireStepTest, AUnitWhoseFileIsGoneOnlyLosesItsStamp) {
  write("var/lib/zerospof/applied/keepalived.service", "digest\n");
  write("bin/systemctl",
        "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/systemctl.log\"\n"
        "case \"$*\" in show*) echo not-found;; is-active*) exit 3;; esac\n",
        0755);
  testing::RootedTransport host(root_.string(), {"/var/lib/zerospof", "/etc/"});
  Step retire = step({}, {});
  ASSERT_TRUE(retire.run(host));
  EXPECT_FALSE(exists("var/lib/zerospof/applied/keepalived.service"));
  EXPECT_EQ(read("bin/systemctl.log").find("stop"), std::string::npos) << read("bin/systemctl.log");
}

}  // namespace
}  // namespace zerospof::apply
