// libFuzzer target: any bytes, read as each history format and, when they parse, checked with a
// small time and state budget. Must never crash, leak or hang.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "history/history.h"
#include "history/linearizability.h"
#include "history/linearizability_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zerospof::history;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const HistoryFormat format :
       {HistoryFormat::kJepsen, HistoryFormat::kEdn, HistoryFormat::kJsonLines}) {
    const auto history = parse_history(text, "fuzz", format);
    if (!history) {
      (void)zerospof::util::format_error(history.error());
      continue;
    }
    CheckOptions options;
    options.timeout = std::chrono::milliseconds(200);
    options.max_memory_bytes = std::size_t{64} << 20;
    options.threads = 2;
    const CheckResult result = check_linearizability(*history, options);
    (void)render_json(*history, result);
    (void)render_text(*history, result, zerospof::util::Style(false));
  }
  return 0;
}
