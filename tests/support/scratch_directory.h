// A directory of a test's own under the system's temporary directory, removed with the object,
// whatever the test did. Held in a function-local static, it lasts the test process and is
// removed when the process ends: renders write a PKI there (keys included), and nothing a test
// writes may outlive it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace zerospof::testing {

class ScratchDirectory {
 public:
  // `prefix` names the directory, e.g. "zerospof-render-test" (six random characters follow).
  explicit ScratchDirectory(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot make a scratch directory like " + pattern);
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace zerospof::testing
