// Reading and writing the user's files without ever losing one: writes go to a temporary file
// in the same directory, are fsynced, then renamed over the target, so a crash leaves either the
// old file or the new one, never half of each. Refuses to overwrite unless asked.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/error.h"

namespace zerospof::util {

Result<std::string> read_file(const std::string& path);

struct WriteOptions {
  mode_t mode = 0644;
  bool overwrite = false;  // false: fail with kFailedPrecondition if `path` exists
};

Status write_file_atomic(const std::string& path, const std::string& content,
                         WriteOptions options = {});

}  // namespace zerospof::util
