// ClusterLock: at most one apply or drill of a cluster at a time. Two applies racing over the
// same hosts would restart the same members together, the quorum check of each blind to the
// other; two drills would inject faults on top of each other and write each other's probe
// objects (a first run of two found 400 "lost" writes and no history linearizable); a drill
// during an apply would judge the apply's restarts as its faults' doing. The lock is flock() on
// `apply.lock` in the cluster's apply state directory (where apply's journal lives), held for as
// long as the ClusterLock lives; the kernel releases it when the process ends, however it ends,
// so a crashed apply or drill never leaves a lock to remove by hand. The file says who holds it
// (what, pid, host, start time) for the error the next one prints.
#pragma once

#include <memory>
#include <string>

#include "util/error.h"

namespace zerospof::util {

class ClusterLock {
 public:
  // Takes the lock of `state_dir` (created 0700 if missing) for `activity` ("apply", "drill")
  // without waiting: held by another, it is a FailedPrecondition naming that one's activity,
  // pid, host and start time.
  static Result<std::unique_ptr<ClusterLock>> acquire(const std::string& state_dir,
                                                      const std::string& activity);
  ~ClusterLock();
  // The state directory whose lock this is: a caller that hands its lock on (a drill applying
  // another tuning) is checked to hold the right one.
  const std::string& state_dir() const { return state_dir_; }
  ClusterLock(const ClusterLock&) = delete;
  ClusterLock& operator=(const ClusterLock&) = delete;

 private:
  ClusterLock(int fd, std::string state_dir) : fd_(fd), state_dir_(std::move(state_dir)) {}
  const int fd_;
  const std::string state_dir_;
};

}  // namespace zerospof::util
