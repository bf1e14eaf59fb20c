#include "transport/local_transport.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "util/files.h"

namespace zerospof::transport {

util::Result<CommandResult> LocalTransport::run(const std::string& /*host*/,
                                                const Command& command) {
  return util::run({"sh", "-c", command.script},
                   {.timeout = command.timeout, .input = command.input});
}

util::Status LocalTransport::put_file(const std::string& /*host*/, const FileSpec& file) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(file.path).parent_path(), error);
  if (error) {
    return util::fail(util::Error::failed_precondition(
        fmt::format("cannot create the directory of {}: {}", file.path, error.message())));
  }
  return util::write_file_atomic(file.path, file.content,
                                 {.mode = static_cast<mode_t>(file.mode), .overwrite = true});
}

util::Result<std::optional<std::string>> LocalTransport::get_file(const std::string& /*host*/,
                                                                  const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<std::string>{};
  ZEROSPOF_ASSIGN_OR_RETURN(std::string content, util::read_file(path));
  return std::optional<std::string>(std::move(content));
}

}  // namespace zerospof::transport
