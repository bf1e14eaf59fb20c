// The lab host's keeper, run for real by /bin/sh with a payload standing in for systemd-nspawn
// (booting a container needs root and the lab: tests/e2e/lab_test.cpp reboots a real one).
// Plain files stand in for the cgroup.procs files each payload enters.
#include "lab/nspawn_host.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/scratch_directory.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::lab {
namespace {

class KeeperTest : public ::testing::Test {
 protected:
  // A payload that records each start (its PID, one line per start) and ends with the status
  // `statuses` gives for that start (space-separated; the last one repeats).
  std::vector<std::string> payload(const std::string& statuses) {
    return {"/bin/sh",
            "-c",
            "echo $$ >> \"$1\"; n=$(wc -l < \"$1\"); i=0; "
            "for s in $2; do i=$((i + 1)); last=$s; [ $i -eq $n ] && exit $s; done; exit $last",
            "payload",
            starts_,
            statuses};
  }

  util::ProcessResult keep(const std::vector<std::string>& cgroups,
                           const std::vector<std::string>& payload_argv) {
    auto result = util::run(keeper_command(pid_file_, cgroups, payload_argv),
                            {.timeout = std::chrono::seconds(20)});
    EXPECT_TRUE(result.has_value());
    return result.value_or(util::ProcessResult{});
  }

  std::vector<std::string> lines(const std::string& path) {
    std::vector<std::string> found;
    std::string text = util::read_file(path).value_or("");
    for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
         start = end + 1)
      found.push_back(text.substr(start, end - start));
    return found;
  }

  testing::ScratchDirectory directory_{"zerospof-keeper"};
  const std::string pid_file_ = directory_.path() + "/nspawn.pid";
  const std::string starts_ = directory_.path() + "/starts";
};

TEST_F(KeeperTest, ARebootStartsThePayloadAgainAndAnyOtherEndEndsTheKeeper) {
  const std::string procs = directory_.path() + "/cgroup.procs";
  const std::string other_procs = directory_.path() + "/other.procs";
  ASSERT_TRUE(util::write_file_atomic(procs, ""));
  ASSERT_TRUE(util::write_file_atomic(other_procs, ""));
  auto kept = keep({procs, other_procs}, payload("133 133 7"));
  EXPECT_EQ(kept.exit_code, 7) << kept.out << kept.err;
  auto starts = lines(starts_);
  ASSERT_EQ(starts.size(), 3u);
  // Twice the line that says why the host booted again, once per reboot.
  std::size_t said = 0;
  for (std::size_t at = kept.out.find("the host asked for a reboot; booting it again");
       at != std::string::npos; at = kept.out.find("the host asked for a reboot", at + 1))
    ++said;
  EXPECT_EQ(said, 2u) << kept.out;
  // The PID file names the last payload, whole, and no temporary file is left beside it.
  EXPECT_EQ(util::read_file(pid_file_).value_or(""), starts.back() + "\n");
  EXPECT_FALSE(std::filesystem::exists(pid_file_ + ".new"));
  // Each start entered both cgroups before it ran ("0": the writer itself).
  EXPECT_EQ(util::read_file(procs).value_or(""), "0\n");
  EXPECT_EQ(util::read_file(other_procs).value_or(""), "0\n");
}

TEST_F(KeeperTest, ACrashOrAPoweroffIsNotBootedAgain) {
  EXPECT_EQ(keep({}, payload("0")).exit_code, 0);
  EXPECT_EQ(lines(starts_).size(), 1u);
  std::filesystem::remove(starts_);
  // Killed, as `lab kill` kills the container's init: nspawn ends with the signal's status.
  EXPECT_EQ(
      keep({}, {"/bin/sh", "-c", "echo $$ >> \"$1\"; kill -9 $$", "payload", starts_}).exit_code,
      137);
  EXPECT_EQ(lines(starts_).size(), 1u);
}

TEST_F(KeeperTest, ACgroupItCannotEnterStopsThePayloadBeforeItStarts) {
  auto kept = keep({directory_.path() + "/no/such/cgroup.procs"}, payload("0"));
  EXPECT_EQ(kept.exit_code, 125) << kept.err;
  EXPECT_FALSE(std::filesystem::exists(starts_));
}

TEST_F(KeeperTest, ItsProcessesAreNamedAfterIt) {
  auto argv = keeper_command(pid_file_, {}, {"true"});
  ASSERT_GE(argv.size(), 4u);
  EXPECT_EQ(argv[0], "/bin/sh");
  EXPECT_EQ(argv[3], "zerospof-lab-keeper");  // $0: what `lab down` looks for in leftovers
}

}  // namespace
}  // namespace zerospof::lab
