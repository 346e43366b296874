// The `egsde` entry point itself (src/cli/main.cpp): what it says before any command runs.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/test_util.h"

namespace {

// Issue 19: `egsde transalte` said "A subcommand is required"; it names the nearest command.
TEST(MainCli, MistypedCommandSuggestsTheNearest) {
  for (const auto& [typo, meant] : std::vector<std::pair<std::string, std::string>>{
           {"transalte", "translate"}, {"chek", "check"}, {"tabel", "table"}, {"merg", "merge"}}) {
    std::string text;
    EXPECT_EQ(egsde::test::run_cli({typo, "--help"}, &text), 1) << text;
    EXPECT_EQ(text, "egsde: error: unknown command '" + typo + "'; did you mean '" + meant +
                        "'? (egsde --help lists the commands)\n");
  }
  std::string text;
  EXPECT_EQ(egsde::test::run_cli({"--version"}, &text), 0) << text;
  EXPECT_EQ(egsde::test::run_cli({"translate", "--help"}, &text), 0) << text;  // a real command is untouched
}

}  // namespace
