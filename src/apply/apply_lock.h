// ApplyLock: at most one apply of a cluster at a time. Two applies racing over the same hosts
// would restart the same members together, the quorum check of each blind to the other. The
// lock is flock() on `apply.lock` in the cluster's state directory (where its journal lives),
// held for as long as the ApplyLock lives; the kernel releases it when the process ends, however
// it ends, so a crashed apply never leaves a lock to remove by hand. The file says who holds it
// (pid, host, start time) for the error the next apply prints.
#pragma once

#include <memory>
#include <string>

#include "util/error.h"

namespace zerospof::apply {

class ApplyLock {
 public:
  // Takes the lock of `state_dir` (created 0700 if missing) without waiting: held by another
  // apply, it is a FailedPrecondition naming that apply's pid, host and start time.
  static util::Result<std::unique_ptr<ApplyLock>> acquire(const std::string& state_dir);
  ~ApplyLock();
  ApplyLock(const ApplyLock&) = delete;
  ApplyLock& operator=(const ApplyLock&) = delete;

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}
  const int fd_;
};

}  // namespace zerospof::apply
