// The data folder's lock (DIR/syncserver.lock, flock): `serve` holds it shared while it
// runs (several servers may share a folder, e.g. beside one PostgreSQL database), and
// `syncserver restore` takes it exclusively, so a restore never replaces the database
// under a running server. The kernel drops the lock when its holder exits, however it
// exits, so a crashed server leaves no stale lock behind.
#pragma once

#include <string>

#include "protocol/result.h"

namespace q11::server {

class DataDirLock {
 public:
  enum class Mode { kShared, kExclusive };

  // Takes the lock without waiting. kFailedPrecondition when another process holds it in a
  // conflicting mode (a running server, or a restore); kUnavailable when the lock file
  // cannot be opened. REQUIRES: `dir` exists.
  static Result<DataDirLock> Take(const std::string& dir, Mode mode);

  DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// DIR/syncserver.lock.
std::string LockFilePath(const std::string& dir);

}  // namespace q11::server
