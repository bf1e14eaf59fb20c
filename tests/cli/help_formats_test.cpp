// The completion scripts and the man page, as bash, zsh and groff read them: made by the real
// binary, loaded by the real shells (bash's programmable completion called as bash calls it;
// zsh's _arguments and _describe replaced by functions that print what they were given).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/scratch_directory.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::cli {
namespace {

util::ProcessResult run(std::vector<std::string> argv, std::optional<std::string> input = {}) {
  auto result = util::run(argv, {std::chrono::seconds(60), std::move(input)});
  EXPECT_TRUE(result.has_value());
  return result.value_or(util::ProcessResult{});
}

std::string zerospof_output(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), ZEROSPOF_BINARY);
  auto result = run(arguments);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

// COMPREPLY for a command line whose last word is the one being completed.
std::string bash_completes(const std::string& script_path, const std::string& words) {
  auto result = run({"bash", "-c",
                     "source " + script_path + "; COMP_WORDS=(" + words +
                         "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _zerospof; "
                         "for word in \"${COMPREPLY[@]}\"; do echo \"$word\"; done"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

TEST(HelpFormatsTest, BashCompletesVerbsNestedVerbsFlagsAndFiles) {
  testing::ScratchDirectory directory("zerospof-completion");
  const std::string script = directory.path() + "/zerospof.bash";
  ASSERT_TRUE(util::write_file_atomic(script, zerospof_output({"completion", "bash"})));
  EXPECT_EQ(bash_completes(script, "zerospof dr"), "drill\n");
  EXPECT_EQ(bash_completes(script, "zerospof lab ki"), "kill\n");
  std::string check_flags = bash_completes(script, "zerospof check --fa");
  EXPECT_EQ(check_flags, "--failures\n");
  // A flag's value does not move the verb: still check's flags after it.
  EXPECT_EQ(bash_completes(script, "zerospof check --failures 2 --ma"), "--manifests\n");
  // check takes a plan file: names of files are offered.
  ASSERT_TRUE(util::write_file_atomic(directory.path() + "/plan-one.yaml", "x"));
  EXPECT_NE(bash_completes(script, "zerospof check " + directory.path() + "/plan-")
                .find(directory.path() + "/plan-one.yaml"),
            std::string::npos);
  // The hidden verb is not offered.
  EXPECT_EQ(bash_completes(script, "zerospof man"), "");
}

TEST(HelpFormatsTest, ZshCompletionGivesEachVerbItsFlags) {
  if (!run({"sh", "-c", "command -v zsh"}).succeeded()) GTEST_SKIP() << "no zsh";
  testing::ScratchDirectory directory("zerospof-completion");
  const std::string script = directory.path() + "/_zerospof";
  ASSERT_TRUE(util::write_file_atomic(script, zerospof_output({"completion", "zsh"})));
  auto syntax = run({"zsh", "-n", script});
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
  auto called = [&](const std::string& words) {
    auto result = run({"zsh", "-f", "-c",
                       "_arguments() { print -rl -- \"$@\" }; _describe() { print -rl -- \"$@\" }; "
                       "_files() { }; words=(" +
                           words + "); CURRENT=${#words}; source " + script});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  };
  std::string check = called("zerospof check ''");
  EXPECT_NE(check.find("--failures["), std::string::npos) << check;
  EXPECT_NE(check.find("*:file:_files"), std::string::npos) << check;
  std::string top = called("zerospof ''");
  EXPECT_NE(top.find("1: :_describe verb verbs"), std::string::npos) << top;
  std::string lab = called("zerospof lab ''");
  EXPECT_NE(lab.find("1: :_describe verb verbs"), std::string::npos) << lab;
  EXPECT_EQ(lab.find("--failures["), std::string::npos) << lab;
}

TEST(HelpFormatsTest, TheManPageIsEveryVerbsHelpAndGroffReadsItWithoutAWarning) {
  const std::string page = zerospof_output({"manual"});
  for (const char* verb : {"check", "render", "apply", "drill", "status", "audit", "lab up"}) {
    EXPECT_NE(page.find(std::string(".SS zerospof ") + verb + "\n"), std::string::npos) << verb;
  }
  EXPECT_NE(page.find(".SH EXIT STATUS"), std::string::npos);
  // The same text as --help: check's description and one of its flags' help lines.
  std::string help = zerospof_output({"check", "--help"});
  std::string flag_line = help.substr(help.find("--failures"));
  flag_line = flag_line.substr(0, flag_line.find('\n'));
  std::string escaped;
  for (char c : flag_line) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
  EXPECT_NE(page.find(escaped), std::string::npos) << escaped;
  auto rendered = run({"groff", "-man", "-Tutf8", "-ww", "-z"}, page);
  EXPECT_EQ(rendered.exit_code, 0);
  EXPECT_EQ(rendered.err, "") << "groff warned";
  auto text = run({"groff", "-man", "-Tutf8", "-P-cbou"}, page);
  EXPECT_NE(text.out.find("EXIT STATUS"), std::string::npos);
}

TEST(HelpFormatsTest, HelpListsTheExitCodesAndCompletionRefusesAnUnknownShell) {
  std::string help = zerospof_output({"--help"});
  EXPECT_NE(help.find("Exit codes:"), std::string::npos) << help;
  EXPECT_NE(help.find("completion"), std::string::npos);
  EXPECT_EQ(help.find("manual"), std::string::npos) << "the hidden verb is listed";
  auto fish = run({ZEROSPOF_BINARY, "completion", "fish"});
  EXPECT_EQ(fish.exit_code, 2) << fish.out;
}

}  // namespace
}  // namespace zerospof::cli
