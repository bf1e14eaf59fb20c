// The command a stopped drill is resumed with: every flag that says where the cluster and its
// state are, paths absolute, each word safe to paste into a shell.
#include "cli/drill_resume.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

namespace zerospof::cli {
namespace {

TEST(DrillResumeTest, TheResumeCommandCarriesTheWhereFlagsQuotedForAShell) {
  DrillFlags flags;
  flags.plan_file = "/plans/lab.yaml";
  flags.lab = true;
  flags.state_dir = "/var/lib/my drills";
  flags.pki_dir = "/keys/it's";
  flags.runs = 5;  // what to drill is in the journal: not repeated
  EXPECT_EQ(resume_command(flags, "/var/lib/my drills/journal.jsonl"),
            "zerospof drill /plans/lab.yaml --lab --state-dir '/var/lib/my drills' --pki-dir "
            "'/keys/it'\\''s' --resume '/var/lib/my drills/journal.jsonl'");
  flags.plan_file = "lab.yaml";  // relative to where the drill ran
  EXPECT_NE(
      resume_command(flags, "j").find((std::filesystem::current_path() / "lab.yaml").string()),
      std::string::npos);
}

TEST(DrillResumeTest, ANewJournalIsNamedForWhenItBeganAndItsSeed) {
  const std::string path = default_journal_path("/var/lib/zerospof/drill/lab", 91);
  EXPECT_TRUE(std::regex_match(
      path, std::regex("/var/lib/zerospof/drill/lab/journal-20[0-9]{6}T[0-9]{6}Z-seed-91\\.jsonl")))
      << path;
}

}  // namespace
}  // namespace zerospof::cli
