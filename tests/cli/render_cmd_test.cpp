// `zerospof render` as a user runs it: where it writes is --output-dir, and -o (the output
// format in every other verb) is refused with the spelling to use, never taken as a directory.
#include <gtest/gtest.h>

#include "support/scratch_directory.h"
#include "support/test_plans.h"
#include "support/zerospof_command.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::cli {
namespace {

using testing::zerospof;

TEST(RenderCommandTest, WritesIntoTheOutputDirectoryAndRefusesDashOWithTheSpellingToUse) {
  testing::ScratchDirectory directory("zerospof-render-cmd");
  const std::string plan = directory.path() + "/plan.yaml";
  ASSERT_TRUE(util::write_file_atomic(plan, testing::addressed_plan()));
  const std::string pki = directory.path() + "/pki";

  auto misplaced = zerospof({"render", plan, "-o", directory.path() + "/out", "--pki-dir", pki});
  EXPECT_EQ(misplaced.exit_code, 2) << misplaced.out << misplaced.err;
  EXPECT_NE(misplaced.err.find("--output-dir " + directory.path() + "/out"), std::string::npos)
      << misplaced.err;
  EXPECT_FALSE(std::filesystem::exists(directory.path() + "/out"));

  auto missing = zerospof({"render", plan, "--pki-dir", pki});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("--output-dir DIR"), std::string::npos) << missing.err;

  auto written =
      zerospof({"render", plan, "--output-dir", directory.path() + "/out", "--pki-dir", pki});
  EXPECT_EQ(written.exit_code, 0) << written.err;
  EXPECT_TRUE(std::filesystem::exists(directory.path() + "/out/operator"));
}

}  // namespace
}  // namespace zerospof::cli
