// Reading and writing the user's files without ever losing one: writes go to a temporary file
// in the same directory, are fsynced, then renamed over the target, so a crash leaves either the
// old file or the new one, never half of each. Refuses to overwrite unless asked.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/error.h"

namespace zerospof::util {

Result<std::string> read_file(const std::string& path);

// The largest file a user hands zerospof to parse (plans, manifests): every input up to this
// size is answered within the documented time and memory (docs: 2 s, 256 MB).
inline constexpr size_t kMaximumInputBytes = 10 << 20;

// read_file() for a file to parse: reads at most `limit` bytes, so /dev/zero or a 100 MB file is
// an InvalidInput error saying so, never an exhausted memory.
Result<std::string> read_input_file(const std::string& path, size_t limit = kMaximumInputBytes);

struct WriteOptions {
  mode_t mode = 0644;
  bool overwrite = false;  // false: fail with kFailedPrecondition if `path` exists
};

// The temporary file is made by mkstemp in the target's directory (O_CREAT | O_EXCL: a name
// someone planted, symlink or not, is never opened), and rename() replaces a symlink at `path`
// itself instead of writing through it.
Status write_file_atomic(const std::string& path, const std::string& content,
                         WriteOptions options = {});

// Ok when `path` is a directory (not a symlink to one) owned by the effective user and writable
// by nobody else: a directory another user can write into lets them plant or swap the files
// zerospof writes there (keys included). `what` names it in the error ("the PKI directory").
Status check_private_directory(const std::string& path, const std::string& what);

}  // namespace zerospof::util
