#include "store/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace q11::server {

std::string LockFilePath(const std::string& dir) { return dir + "/syncserver.lock"; }

Result<DataDirLock> DataDirLock::Take(const std::string& dir, Mode mode) {
  const std::string path = LockFilePath(dir);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Unavailable("cannot open " + path + ": " + std::strerror(errno));
  const int op = (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return FailedPrecondition(
          mode == Mode::kShared
              ? "the data folder " + dir +
                    " is being restored (syncserver restore): wait for it to finish / thư mục "
                    "dữ liệu đang được khôi phục, hãy chờ"
              : "a server is running on the data folder " + dir +
                    ": stop it first (systemctl stop q11-syncserver) / máy chủ đang chạy trên thư "
                    "mục dữ liệu này, hãy dừng máy chủ trước");
    return Unavailable("cannot lock " + path + ": " + std::strerror(err));
  }
  return DataDirLock(fd);
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace q11::server
