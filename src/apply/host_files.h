// Which of a set of files a host already holds with the right content and mode, in one command
// (not one round trip per file). Contents travel back over the transport only to be compared;
// they are never printed. Used by the file steps' check() and run(), and by audit --render-dir.
#pragma once

#include <string>
#include <vector>

#include "render/render.h"
#include "transport/transport.h"

namespace zerospof::apply {

// The bundle's files of one host, as the transport writes them.
std::vector<transport::FileSpec> host_files(const render::Bundle& bundle, const std::string& host);

// The files of `wanted` that are missing on `host` or differ in content or mode.
util::Result<std::vector<transport::FileSpec>> files_to_write(
    transport::Transport& transport, const std::string& host,
    const std::vector<transport::FileSpec>& wanted);

}  // namespace zerospof::apply
