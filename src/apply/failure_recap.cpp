#include <fmt/format.h>

#include "apply/apply.h"

namespace zerospof::apply {

std::string failure_recap(const RunReport& report) {
  std::vector<const StepResult*> failed;
  for (const auto& result : report.results)
    if (result.outcome == Outcome::kFailed) failed.push_back(&result);
  if (failed.empty()) return {};
  std::string recap = fmt::format("{} step{} failed", failed.size(), failed.size() == 1 ? "" : "s");
  int skipped = report.count(Outcome::kSkipped);
  if (skipped > 0)
    recap += fmt::format(" ({} not tried because {} on {})", skipped,
                         skipped == 1 ? "it depends" : "they depend",
                         failed.size() == 1 ? "it" : "them");
  recap += ":\n";
  for (const StepResult* result : failed) {
    recap += fmt::format("  {}  {}\n", host_label(result->host), result->summary);
    std::string_view detail = result->detail;
    while (!detail.empty()) {
      std::size_t end = detail.find('\n');
      recap += fmt::format("      {}\n", detail.substr(0, end));
      detail.remove_prefix(end == std::string_view::npos ? detail.size() : end + 1);
    }
  }
  return recap;
}

}  // namespace zerospof::apply
