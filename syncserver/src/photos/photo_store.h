// Photo bytes on the server's disk, addressed by the SHA-256 of the device's original:
//   DATA/photos/partial/<sha256>   an upload in progress: exactly the bytes received so far
//   DATA/photos/<sha256>.full      the cleaned photo (photo_sanitizer.h), what is served
//   DATA/photos/<sha256>.thumb     its JPEG thumbnail
//   DATA/photos/<sha256>.meta      written last (temp file + rename): the photo is complete
//                                  only once this exists, so nothing partial is ever served
// The original is kept only until its hash is checked and it is cleaned.
//
// Durability: every byte and directory entry the store reports or publishes has been
// synced through its FileSync first (filesync/file_sync.h): the offset Append returns, and
// the .full, .thumb and .meta files (and their names) once Complete returns Ok. So the
// answers that acknowledge an upload (photo_handler.cc) never promise more than a power cut
// leaves.
//
// Thread safety: all methods may be called from any thread. Appends to one photo are
// serialised by an UploadLock; different photos upload in parallel.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "protocol/result.h"

namespace q11 {
class FileSync;
}

namespace q11::server {

enum class PhotoState { kAbsent, kPartial, kComplete };
const char* PhotoStateName(PhotoState state);  // "absent" | "partial" | "complete"

struct PhotoVariantFile {
  std::string path;
  std::string mime;
  int64_t size = 0;
  std::string sha256;  // of this file's bytes: the ETag, and the device's check after a download
  int width = 0, height = 0;
};

class PhotoStore {
 public:
  // Creates `dir` and `dir`/partial when missing. kUnavailable when it cannot. `sync`
  // (nullptr: PosixFileSync()) makes files durable; it must outlive the store.
  static Result<std::unique_ptr<PhotoStore>> Open(const std::string& dir, FileSync* sync = nullptr);

  // The state of `sha256` and how many bytes of it the server holds (the whole original's
  // size once complete). REQUIRES: photos::IsSha256Hex(sha256).
  PhotoState State(const std::string& sha256, int64_t* held) const;

  // Exclusive right to append to one photo. Released on destruction.
  class UploadLock {
   public:
    UploadLock(UploadLock&& other) noexcept : store_(other.store_), sha256_(other.sha256_) {
      other.store_ = nullptr;
    }
    UploadLock& operator=(UploadLock&&) = delete;
    ~UploadLock();
    const std::string& sha256() const { return sha256_; }

   private:
    friend class PhotoStore;
    UploadLock(PhotoStore* store, std::string sha256) : store_(store), sha256_(std::move(sha256)) {}
    PhotoStore* store_;
    std::string sha256_;
  };
  // Waits up to `wait_ms` for another upload of the same photo to end (a connection that
  // was cut is still being wound up). kAborted when it does not.
  Result<UploadLock> LockUpload(const std::string& sha256, int wait_ms);

  // Appends up to `length` bytes read from `in` at `offset`, which must equal the bytes held
  // (else kFailedPrecondition, with nothing written). Bytes that arrive before the stream
  // breaks are kept and made durable: the next attempt continues after them. Returns the
  // bytes held afterwards. `total` is the photo's declared size: nothing past it is taken.
  // When writing or syncing fails (EIO, ENOSPC: kUnavailable, kResourceExhausted), the
  // bytes of this call are cut off again, so the store holds only what was durable.
  Result<int64_t> Append(const UploadLock& lock, int64_t offset, std::istream& in, int64_t length,
                         int64_t total);

  // Called when all `total` bytes are held: checks their SHA-256 against the address, cleans
  // the photo and makes the thumbnail, publishes both, drops the original. kDataLoss when
  // the hash does not match, kInvalidArgument when it is not a usable photo: in both cases
  // the partial upload is discarded and the message says so. Ok only once the published
  // files and their names are durable; when syncing fails (kUnavailable,
  // kResourceExhausted) the photo is not complete and the partial upload is kept, so the
  // last PATCH can be sent again.
  Status Complete(const UploadLock& lock);

  // Deletes the files of photos no row names any more (their reports were withdrawn) and
  // partial uploads untouched for `partial_max_age_s` (or no longer named). Files changed
  // within `grace_s` are kept, so a photo whose row arrived after `referenced` was read is
  // safe while the server runs. Returns the bytes freed.
  struct Pruned {
    int photos = 0, partials = 0;
    int64_t bytes = 0;
  };
  Result<Pruned> Prune(const std::set<std::string>& referenced, int64_t partial_max_age_s,
                       int64_t grace_s);

  // The served file of a complete photo: `thumb` for the thumbnail, else the cleaned photo.
  // nullopt when the photo is not complete.
  // Bytes of every file under the photo folder (cleaned photos, thumbnails, uploads in
  // progress), for /metrics. Walks the folder: callers cache it (one stat per file).
  int64_t BytesOnDisk() const;

  Result<std::optional<PhotoVariantFile>> Find(const std::string& sha256, bool thumb) const;

 private:
  PhotoStore(std::string dir, FileSync* sync) : dir_(std::move(dir)), sync_(sync) {}
  std::string PartialPath(const std::string& sha256) const;
  std::string FilePath(const std::string& sha256, const char* suffix) const;
  void Unlock(const std::string& sha256);

  std::string dir_;
  FileSync* sync_;
  std::mutex mu_;
  std::condition_variable released_;
  std::set<std::string> uploading_;  // guarded by mu_
};

}  // namespace q11::server
