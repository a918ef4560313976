// The real FileSync: fsync(2) on the file, and on the directory opened read-only.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "filesync/durable_file.h"
#include "filesync/file_sync.h"

namespace q11 {
namespace {

class RealFileSync final : public FileSync {
 public:
  Status SyncFile(int fd, const std::string& path) override {
    // fsync, not fdatasync: the size of a file just appended to is part of what must last.
    if (::fsync(fd) != 0) return FileError("sync", path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return FileError("open the folder", dir, errno);
    if (::fsync(fd.get()) != 0) return FileError("sync the folder", dir, errno);
    return Status::Ok();
  }
};

}  // namespace

FileSync* PosixFileSync() {
  static RealFileSync* sync = new RealFileSync;  // never destroyed: usable at exit
  return sync;
}

Status FileError(const std::string& what, const std::string& path, int err) {
  std::string why = std::strerror(err);
  if (err == ENOSPC || err == EDQUOT)
    return ResourceExhausted("cannot " + what + " " + path + ": " + why +
                             " (the disk is full) / bộ nhớ đã đầy, không ghi được " + path);
  return Unavailable("cannot " + what + " " + path + ": " + why + " / lỗi ghi tệp " + path);
}

}  // namespace q11
