#include "lab/ssh_keys.h"

#include "util/files.h"
#include "util/process.h"

namespace zerospof::lab {

util::Result<std::string> ensure_key(const std::filesystem::path& private_key,
                                     const std::string& comment) {
  const std::string public_key = private_key.string() + ".pub";
  if (!std::filesystem::exists(private_key) || !std::filesystem::exists(public_key)) {
    std::error_code ignored;
    std::filesystem::create_directories(private_key.parent_path(), ignored);
    std::filesystem::remove(private_key, ignored);
    std::filesystem::remove(public_key, ignored);
    ZEROSPOF_ASSIGN_OR_RETURN(
        auto output, util::run_checked({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                                        comment, "-f", private_key.string()}));
    (void)output;
  }
  ZEROSPOF_ASSIGN_OR_RETURN(std::string line, util::read_file(public_key));
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::filesystem::path host_key_path(const LabFiles& files, const std::string& host) {
  return files.host_dir(host) / "ssh_host_ed25519_key";
}

}  // namespace zerospof::lab
