#include "filesync/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace q11 {
namespace {

Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return FileError("write", path, n < 0 ? errno : EIO);
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Fills `tmp` by `fill(fd)`, syncs it and renames it to `path`; removes `tmp` on error.
template <typename Fill>
Status WriteThroughTemp(FileSync& sync, const std::string& path, Fill fill) {
  const std::string tmp = path + ".tmp";
  Status s = [&]() -> Status {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return FileError("create", tmp, errno);
    Status filled = fill(fd.get(), tmp);
    if (!filled.ok()) return filled;
    return sync.SyncFile(fd.get(), tmp);
  }();
  if (s.ok()) {
    if (std::rename(tmp.c_str(), path.c_str()) != 0) s = FileError("rename", tmp, errno);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return sync.SyncDir(ParentDir(path));
}

}  // namespace

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status SyncPath(FileSync& sync, const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return FileError("open", path, errno);
  return sync.SyncFile(fd.get(), path);
}

Status RenameDurably(FileSync& sync, const std::string& from, const std::string& to) {
  Q11_RETURN_IF_ERROR(SyncPath(sync, from));
  if (std::rename(from.c_str(), to.c_str()) != 0) return FileError("rename", from, errno);
  return sync.SyncDir(ParentDir(to));
}

Status WriteFileDurably(FileSync& sync, const std::string& path, std::string_view bytes) {
  return WriteThroughTemp(sync, path, [&](int fd, const std::string& tmp) {
    return WriteAll(fd, bytes.data(), bytes.size(), tmp);
  });
}

Status CopyFileDurably(FileSync& sync, const std::string& from, const std::string& to) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return FileError("read", from, errno);
  return WriteThroughTemp(sync, to, [&](int fd, const std::string& tmp) -> Status {
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(in.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return FileError("read", from, errno);
      if (n == 0) return Status::Ok();
      Q11_RETURN_IF_ERROR(WriteAll(fd, buf, static_cast<size_t>(n), tmp));
    }
  });
}

}  // namespace q11
