// Kubernetes resource quantities ("500m", "2", "1.5" CPUs; "512Mi", "8Gi", "1G" bytes), parsed
// strictly into integers: CPU in millicores, memory in bytes. Anything else is nullopt, never a
// guess. Used for node capacity in plans and for pod requests in manifests.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zerospof::plan {

std::optional<std::int64_t> parse_cpu_millicores(std::string_view text);
std::optional<std::int64_t> parse_memory_bytes(std::string_view text);

}  // namespace zerospof::plan
