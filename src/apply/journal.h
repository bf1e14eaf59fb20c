// Journal: an append-only record of what an apply did, one line per event
// ("2026-11-24T18:40:13Z done etcd/start@cloudserver1 changed"). Every record is written and
// fsynced before record() returns, so the runner, which reports a step done only after
// recording it, never shows a person something the journal could lose in a crash. The journal
// is a record for people; resuming does not depend on it (each step's check() reads the host).
// Thread-safe: records from parallel steps never interleave within a line.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "util/error.h"

namespace zerospof::apply {

class Journal {
 public:
  // Opens (creating, 0600, with missing parent directories 0700) `path` for appending.
  static util::Result<std::unique_ptr<Journal>> open(const std::string& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  util::Status record(const std::string& event);
  const std::string& path() const { return path_; }

 private:
  Journal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;
  const int fd_;
  std::mutex mutex_;
};

}  // namespace zerospof::apply
