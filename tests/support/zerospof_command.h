// The zerospof binary of this build, run as a user runs it (tests/cli): bounded in time, its
// output scanned for key material whatever the test checks.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/key_material.h"
#include "util/process.h"

namespace zerospof::testing {

inline util::ProcessResult zerospof(std::vector<std::string> arguments,
                                    std::optional<std::string> input = std::nullopt) {
  arguments.insert(arguments.begin(), ZEROSPOF_BINARY);
  auto result = util::run(arguments, {std::chrono::seconds(120), std::move(input)});
  EXPECT_TRUE(result.has_value());
  if (!result) return util::ProcessResult{};
  EXPECT_EQ(key_material(result->out + result->err), std::vector<std::string>{});
  return *result;
}

}  // namespace zerospof::testing
