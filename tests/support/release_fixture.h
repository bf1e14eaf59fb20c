// Made-up releases in the projects' own layouts (a program file, or a .tar.gz of programs, and
// a digest file: one digest, or a SHA256SUMS-style list), served below a mirror's host/path on a
// LoopbackHttpServer, for tests of `zerospof fetch` and binaries/fetch.h.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "binaries/release.h"
#include "support/loopback_http_server.h"
#include "util/digest.h"
#include "util/files.h"
#include "util/process.h"

namespace zerospof::testing {

// What each program's bytes are in the made-up releases.
inline std::string program_bytes(const std::string& program) {
  return "#!/bin/sh\necho " + program + "\n" + std::string(4096, 'x');
}

// `url`'s host and path, as a mirror serves it.
inline std::string mirror_path(const std::string& url) {
  return "/" + url.substr(url.find("://") + 3);
}

// Serves `artifact` and its digest file; archives are built in `work_dir` (archive-PROJECT.tar.gz).
inline void serve_release(LoopbackHttpServer& server, const binaries::ReleaseArtifact& artifact,
                          const std::string& work_dir) {
  namespace fs = std::filesystem;
  std::string content;
  if (!artifact.tar_gz) {
    content = program_bytes(artifact.programs.front().second);
  } else {
    std::string root = work_dir + "/archive-" + artifact.project;
    std::vector<std::string> argv{"tar", "-czf", root + ".tar.gz", "-C", root};
    for (const auto& [member, program] : artifact.programs) {
      fs::create_directories(fs::path(root + "/" + member).parent_path());
      std::ofstream(root + "/" + member) << program_bytes(program);
      argv.push_back(member);
    }
    auto made = util::run(argv);
    ASSERT_TRUE(made.has_value() && made->exit_code == 0);
    content = util::read_file(root + ".tar.gz").value_or("");
  }
  std::string digest = util::sha256_hex(content);
  std::string digest_file = artifact.digest_entry.empty()
                                ? digest
                                : std::string(64, '0') + "  other-file.tar.gz\n" + digest + "  " +
                                      artifact.digest_entry + "\n";
  server.put(mirror_path(artifact.url), {.body = content});
  server.put(mirror_path(artifact.digest_url), {.body = digest_file});
}

}  // namespace zerospof::testing
