// Where a device keeps photo bytes: files in <db file>.photos/ named <sha256>.<variant>
// (variant: original = taken here; full, thumb = downloaded), a download in progress as
// <sha256>.<variant>.part, and the local table photo_files (never synced) that says what
// each file is:
//   state unsent   an original waiting to go up: never evicted
//         refused  an original the server will not take (message says why): kept for the user
//         sent     an original the server holds: evictable
//         partial  a download in progress (etag: the served file's SHA-256): evictable
//         cached   a downloaded photo: evictable
// Eviction removes evictable files, least recently used first, until the folder is within
// the budget (device_meta photo_budget_bytes).
//
// Durability: a file is whole and synced, and so is its name in the folder, before a row
// (photos, or photo_files as cached) is committed that counts on it (the Options'
// FileSync; photo_library.cc, photo_transfer.cc). After a power cut a row never names
// missing or partial bytes; a file with no row is only space, reused by the next attach of
// the same photo.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "database_impl.h"
#include "protocol/result.h"

namespace q11::device {

// Creates the synced photos table and photo_files where missing. REQUIRES: a device database.
Status EnsurePhotoTables(sql::Db& db);

// SHA-256 of a file, 64 lowercase hex digits. kNotFound / kUnavailable when unreadable.
Result<std::string> Sha256OfFile(const std::string& path);

class PhotoFolder {
 public:
  struct Entry {
    std::string sha256, variant, state, message, etag;
    int64_t bytes = 0;
  };

  // REQUIRES: `db` outlives the folder object.
  explicit PhotoFolder(DatabaseImpl& db);

  const std::string& dir() const { return dir_; }
  std::string FilePath(const std::string& sha256, const std::string& variant) const;
  std::string PartPath(const std::string& sha256, const std::string& variant) const {
    return FilePath(sha256, variant) + ".part";
  }
  // Creates the folder when missing, and makes its name durable.
  Status EnsureDir() const;

  Result<std::optional<Entry>> Find(const std::string& sha256, const std::string& variant);
  // Inserts or replaces the row; marks it used now.
  Status Put(const Entry& entry);
  Status SetState(const std::string& sha256, const std::string& variant, const std::string& state,
                  const std::string& message);
  Status Touch(const std::string& sha256, const std::string& variant);
  Status Forget(const std::string& sha256, const std::string& variant);  // row and file
  // Originals waiting to go up, oldest first: those a photo row still names (a row the
  // server refused is gone after the sync; its bytes stay, unsent, for the user).
  Result<std::vector<Entry>> Unsent();
  // Removes evictable files, least recently used first, until the evictable ones take at
  // most `budget` bytes; never the one named by keep_sha256/keep_variant.
  Status Evict(int64_t budget, const std::string& keep_sha256, const std::string& keep_variant);

 private:
  DatabaseImpl& db_;
  std::string dir_;
};

}  // namespace q11::device
