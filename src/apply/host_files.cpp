#include "apply/host_files.h"

#include <fmt/format.h>

namespace zerospof::apply {
namespace {

// For each path: "missing\n", or "<size> <octal mode>\n" then exactly <size> bytes.
std::string listing_script(const std::vector<transport::FileSpec>& files) {
  std::string script;
  for (const auto& file : files) {
    std::string path = transport::shell_quote(file.path);
    script += fmt::format(
        "if [ -f {0} ]; then stat -c '%s %a' {0}; cat {0}; else echo missing; fi; ", path);
  }
  return script;
}

// Reads one entry of the listing at `position`; true when it matches `file`.
util::Result<bool> same_as(const std::string& listing, std::size_t& position,
                           const transport::FileSpec& file) {
  auto line_end = listing.find('\n', position);
  if (line_end == std::string::npos) {
    return util::fail(util::Error::internal("truncated file listing for " + file.path));
  }
  std::string header = listing.substr(position, line_end - position);
  position = line_end + 1;
  if (header == "missing") return false;
  std::size_t size = 0;
  unsigned mode = 0;
  if (std::sscanf(header.c_str(), "%zu %o", &size, &mode) != 2 ||
      position + size > listing.size()) {
    return util::fail(util::Error::internal("unexpected file listing for " + file.path));
  }
  bool same = mode == file.mode && listing.compare(position, size, file.content) == 0 &&
              size == file.content.size();
  position += size;
  return same;
}

}  // namespace

util::Result<std::vector<transport::FileSpec>> files_to_write(
    transport::Transport& transport, const std::string& host,
    const std::vector<transport::FileSpec>& wanted) {
  if (wanted.empty()) return std::vector<transport::FileSpec>{};
  ZEROSPOF_ASSIGN_OR_RETURN(
      std::string listing,
      transport::run_checked(transport, host, {.script = listing_script(wanted)}));
  std::vector<transport::FileSpec> differing;
  std::size_t position = 0;
  for (const auto& file : wanted) {
    ZEROSPOF_ASSIGN_OR_RETURN(bool same, same_as(listing, position, file));
    if (!same) differing.push_back(file);
  }
  return differing;
}

}  // namespace zerospof::apply
