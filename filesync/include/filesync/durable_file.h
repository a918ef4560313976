// The usual sequences for making a file durable through a FileSync: write or copy through
// a temporary name, sync the file, rename, sync the directory. A file written this way is,
// after a power cut, either absent under its final name or whole.
#pragma once

#include <string>
#include <string_view>

#include "filesync/file_sync.h"
#include "protocol/result.h"

namespace q11 {

// An owned file descriptor (closed on destruction; -1 holds nothing).
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }

 private:
  int fd_;
};

// The folder holding `path` ("." when it has none).
std::string ParentDir(const std::string& path);

// Syncs the contents of the existing file `path`.
Status SyncPath(FileSync& sync, const std::string& path);

// Syncs `from`, renames it to `to`, then syncs the folder of `to`.
// REQUIRES: both in the same folder (a rename is atomic only within one file system).
Status RenameDurably(FileSync& sync, const std::string& from, const std::string& to);

// Writes `bytes` to `path` through `path`.tmp: whole under `path` or absent, and durable
// once this returns Ok. On error the temporary file is removed and `path` is untouched.
Status WriteFileDurably(FileSync& sync, const std::string& path, std::string_view bytes);

// Copies the file `from` to `to` the same way.
Status CopyFileDurably(FileSync& sync, const std::string& from, const std::string& to);

}  // namespace q11
