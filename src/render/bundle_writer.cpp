// write_bundle(): a bundle on disk as <directory>/<host or "operator">/<path>, and its index. The
// directory is claimed with a marker file that also lists every file this render made, so the next
// render into it removes what it no longer makes (a keepalived.conf after a switch to local
// proxies) and nothing else: never a file render did not list, never outside the directory.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "render/render.h"
#include "util/files.h"

namespace zerospof::render {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = ".zerospof-render";
constexpr const char* kMarkerHeader =
    "written by zerospof render; the next render may replace it\n"
    "# the files it made, relative to this directory (the next render removes those it no "
    "longer makes):\n";

using FileSet = std::set<std::string>;

std::string relative_path(const File& file) {
  return (fs::path(file.host.empty() ? "operator" : file.host) /
          fs::path(file.path).relative_path())
      .string();
}

// A listed name that could leave the directory (absolute, "..") is ignored, not followed: the
// marker is only trusted to name files below the directory it sits in.
bool stays_inside(const std::string& relative) {
  fs::path path(relative);
  if (relative.empty() || path.is_absolute()) return false;
  for (const auto& part : path)
    if (part == "..") return false;
  return true;
}

// The files the earlier render listed; none for a marker written before markers had a list.
FileSet listed_files(const fs::path& marker) {
  FileSet files;
  auto text = util::read_file(marker.string());
  if (!text) return files;
  std::istringstream lines(*text);
  std::string line;
  std::getline(lines, line);  // the header's first line
  while (std::getline(lines, line))
    if (!line.empty() && line[0] != '#' && stays_inside(line)) files.insert(line);
  return files;
}

util::Status write_marker(const fs::path& marker, const FileSet& files) {
  std::string text = kMarkerHeader;
  for (const auto& file : files) text += file + "\n";
  return util::write_file_atomic(marker.string(), text, {0644, true});
}

// Nothing a user has is ever lost: the output directory must be absent, empty, or one that a
// previous render wrote (it holds the marker file). It receives private keys, so it must also
// be this user's alone (util::check_private_directory); a new one is made 0700.
util::Status claim_directory(const std::string& directory) {
  std::error_code error;
  const fs::path marker = fs::path(directory) / kMarker;
  if (fs::exists(directory, error) && !fs::is_empty(directory, error) && !fs::exists(marker, error))
    return util::fail(util::Error::failed_precondition(
        fmt::format("{} is not empty and was not written by zerospof render", directory),
        "give a new or empty directory, or the one a previous render wrote"));
  if (!fs::exists(directory, error)) {
    fs::create_directories(directory, error);
    if (error || ::chmod(directory.c_str(), 0700) != 0)
      return util::fail(util::Error::failed_precondition(
          fmt::format("cannot create {}: {}", directory, error.message())));
  }
  return util::check_private_directory(directory, "the output directory");
}

// Removes `relative` below `root` (a file or a link, never a directory), then the directories
// it leaves empty, up to the root.
util::Status remove_stale(const fs::path& root, const std::string& relative) {
  fs::path path = root / relative;
  struct stat info;
  if (::lstat(path.c_str(), &info) != 0 || S_ISDIR(info.st_mode)) return {};
  if (::unlink(path.c_str()) != 0)
    return util::fail(util::Error::failed_precondition(fmt::format(
        "cannot remove {}, which an earlier render made and this one does not", path.string())));
  for (fs::path parent = path.parent_path(); parent != root; parent = parent.parent_path())
    if (::rmdir(parent.c_str()) != 0) break;  // not empty: the rest of the chain is not either
  return {};
}

}  // namespace

util::Status write_bundle(const Bundle& bundle, const std::string& directory) {
  ZEROSPOF_RETURN_IF_ERROR(claim_directory(directory));
  // Normalized so that walking up from a removed file stops exactly here ("out/" is "out").
  fs::path root = fs::path(directory).lexically_normal();
  if (!root.has_filename()) root = root.parent_path();
  const fs::path marker = root / kMarker;
  FileSet before = listed_files(marker), now;
  for (const File& file : bundle.files) now.insert(relative_path(file));
  // Until the stale files are gone the marker lists both sets, so a render killed midway leaves
  // nothing unlisted for the next one to clean.
  FileSet both = before;
  both.insert(now.begin(), now.end());
  ZEROSPOF_RETURN_IF_ERROR(write_marker(marker, both));
  for (const File& file : bundle.files) {
    fs::path target = root / relative_path(file);
    std::error_code error;
    fs::create_directories(target.parent_path(), error);
    if (error)
      return util::fail(util::Error::failed_precondition(
          fmt::format("cannot create {}: {}", target.parent_path().string(), error.message())));
    ZEROSPOF_RETURN_IF_ERROR(
        util::write_file_atomic(target.string(), file.content, {file.mode, true}));
  }
  // The index last of what the bundle holds, so it never names a unit whose file is not there.
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic((root / kIndexFile).string(),
                                                   index_json(bundle.index), {0644, true}));
  for (const auto& relative : before)
    if (now.count(relative) == 0) ZEROSPOF_RETURN_IF_ERROR(remove_stale(root, relative));
  return write_marker(marker, now);
}

}  // namespace zerospof::render
