#include "photos/photo_store.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "filesync/durable_file.h"
#include "filesync/file_sync.h"
#include "photos/photo_sanitizer.h"
#include "store/data_dir.h"

namespace q11::server {
namespace {

constexpr size_t kPiece = 64 * 1024;

int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

Result<std::string> Sha256OfFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Unavailable("cannot read " + path + ": " + std::strerror(errno));
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  char buf[kPiece];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    sha.update(buf, static_cast<unsigned>(n));
  }
  return Poco::DigestEngine::digestToHex(sha.digest());
}

void RemoveQuietly(const std::string& path) { ::unlink(path.c_str()); }

// The server's disk failing (full, or EIO) is not the photo's fault: the device is told to
// try again later (503), never that the photo is refused (413 would mark it so).
Status DiskFailure(Status s) {
  if (s.ok() || s.code() == StatusCode::kUnavailable) return s;
  return Unavailable(s.message());
}

}  // namespace

const char* PhotoStateName(PhotoState state) {
  switch (state) {
    case PhotoState::kPartial:
      return "partial";
    case PhotoState::kComplete:
      return "complete";
    default:
      return "absent";
  }
}

Result<std::unique_ptr<PhotoStore>> PhotoStore::Open(const std::string& dir, FileSync* sync) {
  if (sync == nullptr) sync = PosixFileSync();
  std::error_code ec;
  std::filesystem::create_directories(dir + "/partial", ec);
  if (ec) return Unavailable("cannot create photo folder " + dir + ": " + ec.message());
  // The folders' own names must last too, or a power cut could take every file in them.
  Q11_RETURN_IF_ERROR(sync->SyncDir(ParentDir(dir)));
  Q11_RETURN_IF_ERROR(sync->SyncDir(dir));
  // Temporary outputs of an interrupted Complete() are never served; clear the old ones (a
  // `photos prune` beside the running server must not take those of a Complete() running now).
  const auto hour_ago = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".tmp" &&
        std::filesystem::last_write_time(entry.path(), ec) < hour_ago)
      std::filesystem::remove(entry.path(), ec);
  return std::unique_ptr<PhotoStore>(new PhotoStore(dir, sync));
}

std::string PhotoStore::PartialPath(const std::string& sha256) const {
  return dir_ + "/partial/" + sha256;
}

std::string PhotoStore::FilePath(const std::string& sha256, const char* suffix) const {
  return dir_ + "/" + sha256 + suffix;
}

PhotoState PhotoStore::State(const std::string& sha256, int64_t* held) const {
  *held = 0;
  if (FileSize(FilePath(sha256, ".meta")) >= 0) {
    // The original's size is recorded in the meta file; the caller knows it from the row.
    std::ifstream meta(FilePath(sha256, ".meta"));
    std::string line;
    while (std::getline(meta, line))
      if (line.rfind("original_bytes=", 0) == 0) *held = std::atoll(line.c_str() + 15);
    return PhotoState::kComplete;
  }
  int64_t size = FileSize(PartialPath(sha256));
  if (size < 0) return PhotoState::kAbsent;
  *held = size;
  return PhotoState::kPartial;
}

PhotoStore::UploadLock::~UploadLock() {
  if (store_ != nullptr) store_->Unlock(sha256_);
}

void PhotoStore::Unlock(const std::string& sha256) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    uploading_.erase(sha256);
  }
  released_.notify_all();
}

Result<PhotoStore::UploadLock> PhotoStore::LockUpload(const std::string& sha256, int wait_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  bool free = released_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                                 [&] { return uploading_.count(sha256) == 0; });
  if (!free)
    return Status(StatusCode::kAborted,
                  "another upload of this photo is still running; retry in a moment / ảnh này "
                  "đang được tải lên ở một kết nối khác, hãy thử lại sau");
  uploading_.insert(sha256);
  return UploadLock(this, sha256);
}

Result<int64_t> PhotoStore::Append(const UploadLock& lock, int64_t offset, std::istream& in,
                                   int64_t length, int64_t total) {
  const std::string path = PartialPath(lock.sha256());
  int64_t held = std::max<int64_t>(0, FileSize(path));
  if (offset != held)
    return FailedPrecondition("the server holds " + std::to_string(held) +
                              " bytes of this photo, not " + std::to_string(offset) +
                              "; continue from there / máy chủ đã có " + std::to_string(held) +
                              " byte, hãy gửi tiếp từ đó");
  if (offset + length > total)
    return ResourceExhausted("the photo is " + std::to_string(total) + " bytes; " +
                             std::to_string(offset + length) + " were sent / ảnh chỉ có " +
                             std::to_string(total) + " byte");
  const bool created = FileSize(path) < 0;
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd.get() < 0) return DiskFailure(FileError("write", path, errno));
  // On any failure the bytes of this call are cut off again: what the store then reports
  // holding (State) is only what was made durable before, and the device resends the rest.
  auto undo = [&](Status why) {
    if (::ftruncate(fd.get(), offset) == 0) (void)sync_->SyncFile(fd.get(), path);
    return DiskFailure(why);
  };
  char buf[kPiece];
  int64_t left = length;
  while (left > 0) {
    // Whatever arrived before the connection broke is kept: that is the resume point.
    in.read(buf, static_cast<std::streamsize>(std::min<int64_t>(left, sizeof buf)));
    std::streamsize got = in.gcount();
    for (std::streamsize done = 0; done < got;) {
      ssize_t n = ::write(fd.get(), buf + done, static_cast<size_t>(got - done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return undo(FileError("write", path, n < 0 ? errno : EIO));
      done += n;
    }
    left -= got;
    if (got == 0 || !in) break;
  }
  // Durable before we say how much we hold: the device resumes from that number. A new
  // file's name must last too (its folder synced), or the bytes would be unreachable.
  Status synced = sync_->SyncFile(fd.get(), path);
  if (synced.ok() && created) synced = sync_->SyncDir(ParentDir(path));
  if (!synced.ok()) return undo(synced);
  return offset + (length - left);
}

Status PhotoStore::Complete(const UploadLock& lock) {
  const std::string& sha256 = lock.sha256();
  const std::string partial = PartialPath(sha256);
  Result<std::string> actual = Sha256OfFile(partial);
  if (!actual.ok()) return actual.status();
  if (*actual != sha256) {
    RemoveQuietly(partial);
    return DataLoss("the uploaded bytes hash to " + *actual + ", not to their address " + sha256 +
                    "; the partial upload was discarded, send the photo again / dữ liệu ảnh "
                    "không khớp mã SHA-256, đã hủy phần đã nhận, hãy gửi lại ảnh");
  }
  const std::string full_tmp = FilePath(sha256, ".full.tmp");
  const std::string thumb_tmp = FilePath(sha256, ".thumb.tmp");
  Result<SanitizedPhoto> clean = SanitizePhoto(partial, full_tmp, thumb_tmp);
  if (!clean.ok()) {
    RemoveQuietly(partial);
    RemoveQuietly(full_tmp);
    RemoveQuietly(thumb_tmp);
    return clean.status();
  }
  auto drop_temps = [&](Status why) {
    RemoveQuietly(full_tmp);
    RemoveQuietly(thumb_tmp);
    return DiskFailure(
        why);  // the partial upload stays whole: a PATCH at its end completes it again
  };
  Result<std::string> full_sha = Sha256OfFile(full_tmp);
  if (!full_sha.ok()) return drop_temps(full_sha.status());
  Result<std::string> thumb_sha = Sha256OfFile(thumb_tmp);
  if (!thumb_sha.ok()) return drop_temps(thumb_sha.status());
  // libvips wrote the two files; their bytes last before their names do, and their names
  // before the .meta that publishes them (else a power cut could leave a .meta naming
  // files that are gone or empty).
  for (const std::string& tmp : {full_tmp, thumb_tmp}) {
    Status s = SyncPath(*sync_, tmp);
    if (!s.ok()) return drop_temps(s);
  }
  for (const auto& [from, to] : {std::pair{full_tmp, FilePath(sha256, ".full")},
                                 std::pair{thumb_tmp, FilePath(sha256, ".thumb")}})
    if (std::rename(from.c_str(), to.c_str()) != 0)
      return drop_temps(FileError("rename", from, errno));
  Q11_RETURN_IF_ERROR(DiskFailure(sync_->SyncDir(dir_)));
  std::ostringstream meta;
  meta << "original_bytes=" << FileSize(partial) << "\n"
       << "full_mime=" << clean->mime << "\n"
       << "full_sha256=" << *full_sha << "\n"
       << "full_width=" << clean->width << "\n"
       << "full_height=" << clean->height << "\n"
       << "thumb_sha256=" << *thumb_sha << "\n"
       << "thumb_width=" << clean->thumb_width << "\n"
       << "thumb_height=" << clean->thumb_height << "\n";
  // The meta file makes the photo complete, durably; the original goes once it is in place
  // (a power cut that brings the original back only leaves work for `photos prune`).
  Q11_RETURN_IF_ERROR(DiskFailure(WriteFileDurably(*sync_, FilePath(sha256, ".meta"), meta.str())));
  RemoveQuietly(partial);
  return Status::Ok();
}

Result<PhotoStore::Pruned> PhotoStore::Prune(const std::set<std::string>& referenced,
                                             int64_t partial_max_age_s, int64_t grace_s) {
  namespace fs = std::filesystem;
  Pruned out;
  const auto now = fs::file_time_type::clock::now();
  auto age_s = [&](const fs::path& p) -> int64_t {
    std::error_code ec;
    auto t = fs::last_write_time(p, ec);
    if (ec) return 0;
    return std::chrono::duration_cast<std::chrono::seconds>(now - t).count();
  };
  auto remove = [&](const fs::path& p) {
    std::error_code ec;
    int64_t size = static_cast<int64_t>(fs::file_size(p, ec));
    if (!ec && fs::remove(p, ec)) out.bytes += size;
  };
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const fs::path& p = e.path();
    if (p.extension() != ".meta") continue;
    std::string sha256 = p.stem().string();
    if (referenced.count(sha256) || age_s(p) < grace_s) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (uploading_.count(sha256)) continue;
    remove(p);  // the photo stops being complete first, then its files go
    remove(FilePath(sha256, ".full"));
    remove(FilePath(sha256, ".thumb"));
    ++out.photos;
  }
  if (ec) return Unavailable("cannot list " + dir_ + ": " + ec.message());
  for (const auto& e : fs::directory_iterator(dir_ + "/partial", ec)) {
    std::string sha256 = e.path().filename().string();
    int64_t age = age_s(e.path());
    bool stale = age >= partial_max_age_s || (!referenced.count(sha256) && age >= grace_s);
    if (!stale) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (uploading_.count(sha256)) continue;
    remove(e.path());
    ++out.partials;
  }
  if (ec) return Unavailable("cannot list " + dir_ + "/partial: " + ec.message());
  return out;
}

Result<std::optional<PhotoVariantFile>> PhotoStore::Find(const std::string& sha256,
                                                         bool thumb) const {
  std::ifstream meta(FilePath(sha256, ".meta"));
  if (!meta) return std::optional<PhotoVariantFile>();
  std::map<std::string, std::string> kv;
  std::string line;
  while (std::getline(meta, line)) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  const std::string prefix = thumb ? "thumb_" : "full_";
  PhotoVariantFile f;
  f.path = FilePath(sha256, thumb ? ".thumb" : ".full");
  f.mime = thumb ? "image/jpeg" : kv["full_mime"];
  f.sha256 = kv[prefix + "sha256"];
  f.width = std::atoi(kv[prefix + "width"].c_str());
  f.height = std::atoi(kv[prefix + "height"].c_str());
  f.size = FileSize(f.path);
  if (f.size < 0 || f.mime.empty()) return Internal("photo " + sha256 + " is missing its files");
  return std::optional<PhotoVariantFile>(std::move(f));
}

int64_t PhotoStore::BytesOnDisk() const {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (!it->is_regular_file(size_ec)) continue;
    const auto size = it->file_size(size_ec);
    if (!size_ec) total += static_cast<int64_t>(size);  // a file removed meanwhile: skipped
  }
  return total;
}

}  // namespace q11::server
