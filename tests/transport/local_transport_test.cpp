// LocalTransport: the same contract as every transport, on this machine.
#include "transport/local_transport.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "util/files.h"

namespace zerospof::transport {
namespace {

class LocalTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "zerospof-local-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  LocalTransport transport_;
};

TEST_F(LocalTransportTest, RunsAShellScriptWithInput) {
  auto result = transport_.run("any", {.script = "tr a-z A-Z; exit 2", .input = "abc"});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->out, "ABC");
  EXPECT_EQ(result->exit_code, 2);
}

TEST_F(LocalTransportTest, PutThenGetRoundTripsAndAbsentIsNullopt) {
  std::string target = dir_ + "/a/b/file";
  ASSERT_TRUE(transport_.put_file("any", {.path = target, .content = "x", .mode = 0640}));
  EXPECT_EQ(transport_.get_file("any", target).value(), std::optional<std::string>("x"));
  EXPECT_EQ(transport_.get_file("any", dir_ + "/none").value(), std::nullopt);
  auto perms = std::filesystem::status(target).permissions();
  EXPECT_EQ(perms, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                       std::filesystem::perms::group_read);
}

TEST_F(LocalTransportTest, AtomicWriteScriptLeavesOnlyTheTarget) {
  // The script every remote put_file runs, exercised here with a local shell.
  std::string target = dir_ + "/sub dir/it's";
  auto result = transport_.run(
      "any", {.script = atomic_write_script({.path = target, .content = "data", .mode = 0600}),
              .input = std::string("data")});
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->exit_code, 0) << result->err;
  EXPECT_EQ(util::read_file(target).value_or(""), "data");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(dir_ + "/sub dir")) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(LocalTransportTest, AtomicWriteScriptKeepsTheOldFileWhenTheBytesDiffer) {
  // Same size, other bytes (a corrupted stream): only the digest can tell, and it must.
  std::string target = dir_ + "/config";
  ASSERT_TRUE(util::write_file_atomic(target, "good"));
  auto result =
      transport_.run("any", {.script = atomic_write_script({.path = target, .content = "new!"}),
                             .input = std::string("evil")});
  ASSERT_TRUE(result.has_value());
  EXPECT_NE(result->exit_code, 0);
  EXPECT_NE(result->err.find("sha256"), std::string::npos) << result->err;
  EXPECT_EQ(util::read_file(target).value_or(""), "good");
}

TEST(ShellQuoteTest, QuotesSingleQuotesAndLeavesEverythingElseLiteral) {
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(Command::argv({"echo", "$x", ""}).script, "'echo' '$x' ''");
}

TEST(RunCheckedTest, AFailedCommandBecomesAnErrorNamingTheHost) {
  LocalTransport transport;
  auto result = run_checked(transport, "node7", {.script = "echo boom >&2; exit 1"});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("node7"), std::string::npos);
  EXPECT_NE(result.error().message.find("boom"), std::string::npos);
}

}  // namespace
}  // namespace zerospof::transport
