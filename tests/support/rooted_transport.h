// RootedTransport: a fake host whose filesystem is a directory of this machine. Every absolute
// path a step names below one of `prefixes` (in scripts and in files it writes) is moved below
// `root`, then the script really runs under `sh -c` (LocalTransport), so a test exercises the
// step's actual shell against a throwaway tree instead of matching the script's text.
#pragma once

#include <string>
#include <vector>

#include "transport/local_transport.h"
#include "transport/transport.h"

namespace zerospof::testing {

class RootedTransport : public transport::Transport {
 public:
  RootedTransport(std::string root, std::vector<std::string> prefixes)
      : root_(std::move(root)), prefixes_(std::move(prefixes)) {}

  util::Result<transport::CommandResult> run(const std::string& host,
                                             const transport::Command& command) override {
    transport::Command moved = command;
    moved.script = rooted(command.script);
    return local_.run(host, moved);
  }

  util::Status put_file(const std::string& host, const transport::FileSpec& file) override {
    transport::FileSpec moved = file;
    moved.path = rooted(file.path);
    return local_.put_file(host, moved);
  }

  util::Result<std::optional<std::string>> get_file(const std::string& host,
                                                    const std::string& path) override {
    return local_.get_file(host, rooted(path));
  }

  // `text` with every prefix moved below the root.
  std::string rooted(std::string text) const {
    for (const auto& prefix : prefixes_) {
      for (std::size_t at = text.find(prefix); at != std::string::npos;
           at = text.find(prefix, at + root_.size() + prefix.size())) {
        text.insert(at, root_);
      }
    }
    return text;
  }

 private:
  std::string root_;
  std::vector<std::string> prefixes_;
  transport::LocalTransport local_;
};

}  // namespace zerospof::testing
