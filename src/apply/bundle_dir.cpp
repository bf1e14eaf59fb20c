#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "apply/apply.h"
#include "util/files.h"

namespace zerospof::apply {

util::Result<render::Bundle> load_bundle(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return util::fail(util::Error::invalid_input(
        fmt::format("{} is not a directory of rendered files", directory), {},
        "write one with `zerospof render PLAN --output-dir DIR`"));
  }
  render::Bundle bundle;
  for (auto it = fs::recursive_directory_iterator(directory, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file()) continue;
    fs::path relative = fs::relative(it->path(), directory);
    if (std::distance(relative.begin(), relative.end()) < 2) continue;  // e.g. render's marker
    std::string host = relative.begin()->string();
    std::string path = "/" + fs::relative(relative, *relative.begin()).string();
    struct stat info {};
    if (::stat(it->path().c_str(), &info) != 0) continue;
    ZEROSPOF_ASSIGN_OR_RETURN(std::string content, util::read_file(it->path().string()));
    unsigned mode = info.st_mode & 07777;
    bundle.files.push_back({.host = host == "operator" ? "" : host,
                            .path = path,
                            .mode = mode,
                            .content = std::move(content),
                            .secret = (mode & 077) == 0});
  }
  if (error) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot read {}: {}", directory, error.message())));
  }
  std::sort(bundle.files.begin(), bundle.files.end(), [](const auto& a, const auto& b) {
    return std::tie(a.host, a.path) < std::tie(b.host, b.path);
  });
  // What runs where is read from render's index, never worked out again from the files' text.
  const std::string index_path = directory + "/" + render::kIndexFile;
  auto index = util::read_file(index_path);
  if (!index)
    return util::fail(util::Error::failed_precondition(
        fmt::format("{} has no {}: it was rendered by an older zerospof, or is not a render",
                    directory, render::kIndexFile),
        "render the plan again with this zerospof (zerospof render PLAN --output-dir DIR)"));
  ZEROSPOF_ASSIGN_OR_RETURN(bundle.index, render::parse_index_json(*index, index_path));
  return bundle;
}

}  // namespace zerospof::apply
