#include <fmt/format.h>

#include "apply/steps.h"

namespace zerospof::apply {
namespace {

constexpr const char* kStampDir = "/var/lib/zerospof/applied";

// FNV-1a, 64 bits: enough to notice a change, not a security boundary.
class Fnv {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) hash_ = (hash_ ^ c) * 1099511628211ULL;
    hash_ = (hash_ ^ 0xff) * 1099511628211ULL;  // separator, so "ab"+"c" != "a"+"bc"
  }
  std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  std::uint64_t hash_ = 14695981039346656037ULL;
};

}  // namespace

std::string inputs_digest(const std::vector<transport::FileSpec>& files,
                          const std::vector<Binary>& binaries) {
  Fnv fnv;
  for (const auto& file : files) {
    fnv.add(file.path);
    fnv.add(fmt::format("{:o}", file.mode));
    fnv.add(file.content);
  }
  for (const auto& binary : binaries) fnv.add(binary.name + binary.sha256);
  return fnv.hex();
}

// Done when the unit is enabled, active, and last started from the same inputs (a stamp
// written after the start). A change of any input restarts it; a kill between writing files
// and restarting leaves the old stamp, so the next apply restarts it.
util::Result<std::string> add_service_step(StepGraph& graph, const std::string& host,
                                           const ServiceSpec& service, Ids deps) {
  std::string unit = transport::shell_quote(service.unit);
  std::string stamp = transport::shell_quote(fmt::format("{}/{}", kStampDir, service.unit));
  std::string id = fmt::format("service/{}@{}", service.unit, host);
  std::string check = fmt::format(
      "systemctl is-enabled --quiet {0} && systemctl is-active --quiet {0} && "
      "[ \"$(cat {1} 2>/dev/null)\" = {2} ]",
      unit, stamp, service.digest);
  std::string start = fmt::format(
      "systemctl daemon-reload && systemctl enable --quiet {0} && {{ {3}; }} && "
      "echo {2} > {1}.new && mv -f {1}.new {1}",
      unit, stamp, service.digest,
      service.restart.empty() ? "systemctl restart " + unit : service.restart);
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(service.wait);
  ZEROSPOF_RETURN_IF_ERROR(graph.add(Step{
      .id = id,
      .host = host,
      .summary = fmt::format("start {}", service.unit),
      .deps = std::move(deps),
      .check = [host, check](transport::Transport& t) -> util::Result<bool> {
        ZEROSPOF_ASSIGN_OR_RETURN(auto result, t.run(host, {.script = check}));
        return result.succeeded();
      },
      .run = [host, start, timeout](transport::Transport& t) -> util::Status {
        ZEROSPOF_ASSIGN_OR_RETURN(
            auto out, transport::run_checked(t, host, {.script = start, .timeout = timeout}));
        (void)out;
        return {};
      },
  }));
  return id;
}

}  // namespace zerospof::apply
