// Shared helpers of the history tests: where the bundled histories are, and small histories
// written inline in zerospof's JSON Lines format so each test shows its input.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "history/history.h"

namespace zerospof::history::testing {

inline std::filesystem::path shared_testdata() {
  return std::filesystem::path(ZEROSPOF_SHARED_DIR) / "testdata";
}

// Parses `text` as JSON Lines, failing the test on an error.
inline History jsonl(std::string_view text) {
  auto history = parse_jsonl_history(text, "test.jsonl");
  EXPECT_TRUE(history) << (history ? "" : history.error().message);
  return history ? *history : History{};
}

inline History jepsen(std::string_view text) {
  auto history = parse_jepsen_log(text, "test.log");
  EXPECT_TRUE(history) << (history ? "" : history.error().message);
  return history ? *history : History{};
}

}  // namespace zerospof::history::testing
