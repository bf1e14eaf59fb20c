#include "support/test_plans.h"

#include <gtest/gtest.h>

namespace zerospof::testing {

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the plan";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string addressed_plan() {
  std::string text = plan::builtin_plan_yaml();
  const char* names[] = {"micklethefickle", "cloudserver1", "cloudserver2", "cloudserver3",
                         "blackboar"};
  for (int i = 0; i < 5; ++i) {
    std::string host = std::string("      host: ") + names[i] + ".bolabaden.org\n";
    text = replace_once(text, host,
                        host + "      address: 198.18.7." + std::to_string(11 + i) + "/24\n");
  }
  return replace_once(text, "address: 198.18.0.100", "address: 198.18.7.100");
}

model::Cluster load_plan(const std::string& text) {
  auto cluster = plan::load_from_string(text, "test.yaml");
  EXPECT_TRUE(cluster.has_value()) << (cluster ? "" : util::format_error(cluster.error()));
  return cluster ? *cluster : model::Cluster{};
}

std::string shared_path(const std::string& relative) {
  return std::string(ZEROSPOF_SHARED_DIR) + "/" + relative;
}

}  // namespace zerospof::testing
