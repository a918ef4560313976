// The seam through which photo bytes are made durable: fsync of a file's contents and of a
// directory's entries (a created or renamed file survives a power cut only once its
// directory is synced too). The real implementation calls fsync(2); tests pass one that
// records what was synced and, on a simulated crash, drops everything else
// (tests/support/crash_file_sync.h). Only these two calls make anything durable: code that
// writes bytes a row or an acknowledgement will vouch for goes through them (see
// durable_file.h for the usual sequences).
#pragma once

#include <string>

#include "protocol/result.h"

namespace q11 {

class FileSync {
 public:
  virtual ~FileSync() = default;
  // Makes the contents (and size) of the open file `fd`, named `path`, durable. Errors:
  // kResourceExhausted (ENOSPC, EDQUOT), kUnavailable (EIO and the rest); the message names
  // the file and the errno text.
  virtual Status SyncFile(int fd, const std::string& path) = 0;
  // Makes the entries of directory `dir` durable: files created, renamed or removed in it.
  virtual Status SyncDir(const std::string& dir) = 0;
};

// The real one (fsync(2)). Thread-safe, stateless; lives forever.
FileSync* PosixFileSync();

// A Status for a failed system call on `path`: kResourceExhausted for ENOSPC/EDQUOT (the
// disk is full: retrying now will not help), else kUnavailable. `what` says what was being
// done ("write", "sync"); the message is in English and Vietnamese.
Status FileError(const std::string& what, const std::string& path, int err);

}  // namespace q11
