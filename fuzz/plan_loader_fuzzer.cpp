// libFuzzer target for the plan and manifest loaders: any bytes must give a Cluster or an Error
// with a location, never a crash, a hang or a leak (run by ctest as fuzz.plan_loader).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "plan/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto cluster = zerospof::plan::load_from_string(text, "fuzz.yaml");
  if (cluster) {
    // Whatever loads must survive the round trip through the writer.
    auto again = zerospof::plan::load_from_string(zerospof::plan::to_yaml(*cluster), "again.yaml");
    if (!again) std::abort();
  } else if (cluster.error().where.file.empty()) {
    std::abort();  // every plan error names its file
  }
  auto manifests = zerospof::plan::load_manifests_from_string(text, "fuzz.yaml");
  (void)manifests;
  return 0;
}
