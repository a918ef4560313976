#include "store/sqlite/online_backup.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace q11::server {
namespace {

// A connection closed on destruction.
class Connection {
 public:
  ~Connection() { sqlite3_close_v2(db_); }
  sqlite3** out() { return &db_; }
  sqlite3* get() const { return db_; }
  std::string Error() const { return db_ ? sqlite3_errmsg(db_) : "out of memory"; }

 private:
  sqlite3* db_ = nullptr;
};

// One backup, finished on destruction (sqlite3_backup_finish releases its locks).
class Backup {
 public:
  Backup(sqlite3* dst, sqlite3* src) : b_(sqlite3_backup_init(dst, "main", src, "main")) {}
  ~Backup() { Finish(); }
  Backup(const Backup&) = delete;
  Backup& operator=(const Backup&) = delete;
  sqlite3_backup* get() const { return b_; }
  int Finish() {
    int rc = b_ ? sqlite3_backup_finish(b_) : SQLITE_OK;
    b_ = nullptr;
    return rc;
  }

 private:
  sqlite3_backup* b_;
};

Status Failed(int rc, const std::string& what, const std::string& detail) {
  const std::string msg = what + ": " + detail;
  if (rc == SQLITE_FULL)
    return ResourceExhausted(msg + " (the backup's disk is full / ổ đĩa đích đã đầy)");
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
    return FailedPrecondition(msg +
                              " (not a usable SQLite database / không phải cơ sở dữ liệu "
                              "SQLite dùng được)");
  return Unavailable(msg);
}

}  // namespace

Result<BackupProgress> CopyLiveDatabase(const std::string& source, const std::string& destination,
                                        const OnlineBackupOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source, ec)) return NotFound("no database " + source);
  Connection src, dst;
  int rc = sqlite3_open_v2(source.c_str(), src.out(), SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) return Failed(rc, "open " + source, src.Error());
  sqlite3_busy_timeout(src.get(), 5000);
  // The snapshot: a read transaction held until the copy ends, so every step reads the
  // same state of the database whatever the server commits meanwhile (WAL: no writer
  // waits for it). Without it each step would see the latest state, and a write between
  // steps would restart the copy from the first page.
  rc = sqlite3_exec(src.get(), "BEGIN; SELECT count(*) FROM sqlite_schema", nullptr, nullptr,
                    nullptr);
  if (rc != SQLITE_OK) return Failed(rc, "read " + source, src.Error());
  rc = sqlite3_open_v2(destination.c_str(), dst.out(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                       nullptr);
  if (rc != SQLITE_OK) return Failed(rc, "create " + destination, dst.Error());
  BackupProgress progress;
  {
    Backup backup(dst.get(), src.get());
    if (backup.get() == nullptr) return Failed(SQLITE_ERROR, "start the backup", dst.Error());
    for (;;) {
      rc = sqlite3_backup_step(backup.get(), std::max(1, options.pages_per_step));
      progress.pages_total = sqlite3_backup_pagecount(backup.get());
      progress.pages_done = progress.pages_total - sqlite3_backup_remaining(backup.get());
      if (options.progress) options.progress(progress);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
        return Failed(rc, "copy " + source, dst.Error());
      if (options.sleep_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(options.sleep_ms));
    }
    rc = backup.Finish();
    if (rc != SQLITE_OK) return Failed(rc, "finish the copy of " + source, dst.Error());
  }
  sqlite3_exec(src.get(), "COMMIT", nullptr, nullptr, nullptr);
  return progress;
}

}  // namespace q11::server
