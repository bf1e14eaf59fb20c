// Plans for tests, as YAML text: the built-in plan and small edits of it, so each test states
// only what it changes. Loading goes through the real loader, so every plan here is valid.
#pragma once

#include <string>

#include "model/cluster.h"
#include "plan/plan.h"

namespace zerospof::testing {

// `text` with the first occurrence of `from` replaced by `to`; fails the test if absent.
std::string replace_once(std::string text, const std::string& from, const std::string& to);

// The built-in plan with cluster addresses in 198.18.7.0/24 and VIP 198.18.7.100.
std::string addressed_plan();

// Loads `text` as a plan named "test.yaml", failing the test on an error.
model::Cluster load_plan(const std::string& text);

// The path of a file under ../shared (testdata, upstream).
std::string shared_path(const std::string& relative);

}  // namespace zerospof::testing
