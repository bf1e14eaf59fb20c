#include "binaries/fetch.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include "util/curl_handle.h"
#include "util/digest.h"
#include "util/files.h"
#include "util/process.h"
#include "util/terminal.h"

namespace zerospof::binaries {
namespace {

struct Body {
  std::string bytes;
  std::size_t limit = 0;
  bool over = false;
};

std::size_t append_bounded(char* data, std::size_t size, std::size_t count, void* target) {
  auto* body = static_cast<Body*>(target);
  if (body->bytes.size() + size * count > body->limit) {
    body->over = true;
    return 0;  // libcurl stops the transfer
  }
  body->bytes.append(data, size * count);
  return size * count;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The programs of `artifact` the cache holds already at their version, whole: skipped.
bool already_cached(const ReleaseArtifact& artifact, const std::vector<Binary>& cached) {
  for (const auto& entry : artifact.programs) {
    const std::string& program = entry.second;
    auto found = std::find_if(cached.begin(), cached.end(),
                              [&](const Binary& binary) { return binary.name == program; });
    if (found == cached.end() || found->version != artifact.version) return false;
    auto content = util::read_file(found->local_path);
    if (!content || util::sha256_hex(*content) != found->sha256) return false;
  }
  return true;
}

// The members of a verified .tar.gz, by path, through the system's tar (GNU tar extracts exactly
// the named members and nothing else, into a directory of our own).
util::Result<std::map<std::string, std::string>> tar_members(
    const std::string& archive, const std::vector<std::string>& members,
    const std::string& work_dir, const std::string& url) {
  std::string archive_path = work_dir + "/archive.tar.gz";
  std::string out = work_dir + "/members";
  std::filesystem::create_directories(out);
  ZEROSPOF_RETURN_IF_ERROR(util::write_file_atomic(archive_path, archive, {.overwrite = true}));
  std::vector<std::string> argv{
      "tar", "-xzf", archive_path, "-C", out, "--no-same-owner", "--no-same-permissions", "--"};
  argv.insert(argv.end(), members.begin(), members.end());
  auto extracted = util::run(argv, {.timeout = std::chrono::seconds(300)});
  if (!extracted || extracted->exit_code != 0)
    return util::fail(util::Error::failed_precondition(
        fmt::format("{}: the archive does not hold {} ({})", url, fmt::join(members, ", "),
                    extracted ? util::printable(extracted->err, 300)
                              : util::format_error(extracted.error())),
        "the release's layout changed: report it, or fill the cache by hand (docs/fetch.md)"));
  std::map<std::string, std::string> contents;
  for (const auto& member : members) {
    ZEROSPOF_ASSIGN_OR_RETURN(contents[member], util::read_file(out + "/" + member));
  }
  std::filesystem::remove_all(work_dir);
  return contents;
}

}  // namespace

CurlDownloader::CurlDownloader(Limits limits) : limits_(limits) {}

util::Result<std::string> CurlDownloader::get(const std::string& url) {
  const util::CurlHandle curl = util::make_curl_handle();
  if (!curl) return util::fail(util::Error::internal("libcurl could not make a handle"));
  CURL* handle = curl.get();
  Body body{.limit = limits_.max_bytes};
  const char* protocols = limits_.allow_plain_http ? "http,https" : "https";
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);  // release downloads redirect
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, static_cast<long>(limits_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer (under 1 kB/s for 60 s) ends rather than holding the whole timeout.
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits_.max_bytes));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_bounded);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &body);
  CURLcode result = curl_easy_perform(handle);
  if (result == CURLE_OK) return std::move(body.bytes);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  bool too_large = body.over || result == CURLE_FILESIZE_EXCEEDED;
  std::string why = too_large ? fmt::format("larger than {} bytes", limits_.max_bytes)
                    : result == CURLE_HTTP_RETURNED_ERROR ? fmt::format("HTTP {}", status)
                                                          : curl_easy_strerror(result);
  return util::fail(util::Error::unavailable(fmt::format("downloading {}: {}", url, why)));
}

std::string mirrored(const std::string& url, const std::string& mirror) {
  if (mirror.empty()) return url;
  std::string rest = url.substr(url.find("://") + 3);
  std::string prefix = mirror;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix + "/" + rest;
}

util::Result<std::string> published_digest(const std::string& text, const std::string& entry,
                                           const std::string& url) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string digest, name;
    if (!(fields >> digest)) continue;
    fields >> name;
    if (!name.empty() && name.front() == '*') name.erase(0, 1);  // sha256sum's binary mode
    if (!entry.empty() && name != entry) continue;
    digest = lower(digest);
    if (!util::is_sha256_hex(digest)) break;
    return digest;
  }
  return util::fail(util::Error::failed_precondition(
      fmt::format("{} does not give a sha256{}", url,
                  entry.empty() ? "" : fmt::format(" for {}", entry)),
      "the release's digest file changed its layout, or the mirror serves something else"));
}

util::Result<std::vector<Binary>> fetch_release(const std::vector<ReleaseArtifact>& artifacts,
                                                const std::string& cache_dir,
                                                Downloader& downloader,
                                                const FetchOptions& options) {
  ZEROSPOF_ASSIGN_OR_RETURN(std::vector<Binary> cached, load_binary_cache_if_present(cache_dir));
  ZEROSPOF_ASSIGN_OR_RETURN(CacheWriter writer, CacheWriter::begin(cache_dir));
  std::size_t fetched = 0;
  for (const auto& artifact : artifacts) {
    if (already_cached(artifact, cached)) {
      options.progress(fmt::format("{} {}: in the cache already", artifact.project,
                                   artifact.url.substr(artifact.url.rfind('/') + 1)));
      continue;
    }
    std::string digest_url = mirrored(artifact.digest_url, options.mirror);
    ZEROSPOF_ASSIGN_OR_RETURN(std::string digest_text, downloader.get(digest_url));
    ZEROSPOF_ASSIGN_OR_RETURN(std::string expected,
                              published_digest(digest_text, artifact.digest_entry, digest_url));
    std::string url = mirrored(artifact.url, options.mirror);
    options.progress(fmt::format("downloading {}", url));
    ZEROSPOF_ASSIGN_OR_RETURN(std::string content, downloader.get(url));
    std::string got = util::sha256_hex(content);
    if (got != expected)
      return util::fail(util::Error::failed_precondition(
          fmt::format("{} ({} bytes) has sha256 {}, but {} publishes {}: refused, nothing was "
                      "installed",
                      url, content.size(), got, digest_url, expected),
          "run zerospof fetch again (a download can be damaged on the way); if it happens "
          "again, the file or the mirror is not the release"));
    if (!artifact.tar_gz) {
      ZEROSPOF_RETURN_IF_ERROR(
          writer.add(artifact.programs.front().second, artifact.version, content));
    } else {
      std::vector<std::string> members;
      for (const auto& [member, program] : artifact.programs) members.push_back(member);
      ZEROSPOF_ASSIGN_OR_RETURN(auto contents,
                                tar_members(content, members, writer.scratch_dir(), url));
      for (const auto& [member, program] : artifact.programs)
        ZEROSPOF_RETURN_IF_ERROR(writer.add(program, artifact.version, contents[member]));
    }
    ++fetched;
  }
  ZEROSPOF_RETURN_IF_ERROR(writer.commit());
  options.progress(
      fmt::format("{} release file(s) downloaded and verified into {}", fetched, cache_dir));
  return load_binary_cache(cache_dir);
}

}  // namespace zerospof::binaries
