#include "crash_file_sync.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace q11::test {
namespace fs = std::filesystem;
namespace {

std::string Canonical(const std::string& path) { return fs::weakly_canonical(path).string(); }

}  // namespace

void CrashFileSync::Watch(const std::string& dir) {
  fs::create_directories(dir);
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot(Canonical(dir));
}

void CrashFileSync::Snapshot(const std::string& dir) {
  Folder& f = folders_[dir];
  f.names.clear();
  for (const auto& e : fs::directory_iterator(dir)) {
    struct stat st;
    if (!e.is_regular_file() || ::stat(e.path().c_str(), &st) != 0) continue;
    Inode ino{st.st_dev, st.st_ino};
    f.names[e.path().filename().string()] = ino;
    synced_size_[ino] = st.st_size;
  }
}

void CrashFileSync::FailFrom(int n, int err) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_ = 0;
  log_.clear();
  fail_from_ = n;
  err_ = err;
}

int CrashFileSync::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<std::string> CrashFileSync::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

Status CrashFileSync::Call(const std::string& what) {
  ++calls_;
  log_.push_back(what);
  if (fail_from_ > 0 && calls_ >= fail_from_) return FileError("sync", what, err_);
  return Status::Ok();
}

Status CrashFileSync::SyncFile(int fd, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Q11_RETURN_IF_ERROR(Call("file " + path));
  struct stat st;
  if (::fstat(fd, &st) != 0) return FileError("stat", path, errno);
  synced_size_[{st.st_dev, st.st_ino}] = st.st_size;
  return Status::Ok();
}

Status CrashFileSync::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  Q11_RETURN_IF_ERROR(Call("dir " + dir));
  auto it = folders_.find(Canonical(dir));
  if (it == folders_.end()) return Status::Ok();  // not watched: nothing to forget
  // The names become durable; the sizes of their files do not.
  Folder& f = it->second;
  f.names.clear();
  for (const auto& e : fs::directory_iterator(it->first)) {
    struct stat st;
    if (e.is_regular_file() && ::stat(e.path().c_str(), &st) == 0)
      f.names[e.path().filename().string()] = {st.st_dev, st.st_ino};
  }
  return Status::Ok();
}

void CrashFileSync::Crash() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [dir, folder] : folders_) {
    for (const auto& e : fs::directory_iterator(dir)) {
      struct stat st;
      if (!e.is_regular_file() || ::stat(e.path().c_str(), &st) != 0) continue;
      auto name = folder.names.find(e.path().filename().string());
      Inode ino{st.st_dev, st.st_ino};
      if (name == folder.names.end() || name->second != ino) {
        fs::remove(e.path());
        continue;
      }
      auto size = synced_size_.find(ino);
      off_t keep = size == synced_size_.end() ? 0 : std::min(size->second, st.st_size);
      if (keep < st.st_size) (void)::truncate(e.path().c_str(), keep);
    }
    Snapshot(dir);
  }
  calls_ = 0;
  fail_from_ = 0;
  log_.clear();
}

bool CrashFileSync::Durable(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  fs::path p = Canonical(path);
  auto folder = folders_.find(p.parent_path().string());
  struct stat st;
  if (folder == folders_.end() || ::stat(p.c_str(), &st) != 0) return false;
  auto name = folder->second.names.find(p.filename().string());
  Inode ino{st.st_dev, st.st_ino};
  if (name == folder->second.names.end() || name->second != ino) return false;
  auto size = synced_size_.find(ino);
  return size != synced_size_.end() && size->second == st.st_size;
}

}  // namespace q11::test
