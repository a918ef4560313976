#include "app/backup_commands.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "app/cli_args.h"
#include "auth/secure_random.h"
#include "filesync/durable_file.h"
#include "filesync/file_sync.h"
#include "protocol/ids.h"
#include "q11sqlite/sqlite.h"
#include "store/data_dir.h"
#include "store/data_dir_lock.h"
#include "store/open_store.h"
#include "store/sql/sql_conn.h"
#include "store/sqlite/online_backup.h"
#include "store/sqlite/server_schema.h"

namespace q11::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBackupUsage =
    "usage: syncserver backup --data=DIR --to=BACKUP [--force]\n"
    "  Sao lưu máy chủ đang chạy / Back up a server, also while it runs and devices push.\n"
    "  BACKUP is a new folder: syncserver.db (one consistent snapshot, SQLite's online\n"
    "  backup), jwt.key and contact.key (secret: keep the backup as safe as the server),\n"
    "  the photo files, and MANIFEST. Progress goes to stderr. --force replaces an older\n"
    "  backup folder at BACKUP. SQLite only: with --database use pg_dump (docs/backup.md).\n"
    "  Restore it with `syncserver restore --from=BACKUP --data=DIR`.\n";

constexpr const char* kRestoreUsage =
    "usage: syncserver restore --from=BACKUP --data=DIR\n"
    "       syncserver restore --new-epoch --data=DIR [--database=URL]\n"
    "  Khôi phục từ bản sao lưu / Restore a backup made by `syncserver backup` into DIR\n"
    "  (made when missing). The server must be stopped. The backup is checked (integrity,\n"
    "  schema version) before anything changes; the database it replaces is kept in\n"
    "  DIR/before-restore-TIME/. The restored server gets a new epoch: each device re-pulls\n"
    "  from zero at its next sync and pushes again what it holds of its own that the backup\n"
    "  lacks (docs/backup.md). SQLite only.\n"
    "  --new-epoch: only give the database a new epoch, after restoring it by other means\n"
    "  (pg_restore, pg_basebackup, a copied file); stop every server on it first.\n"
    "  Chỉ đổi epoch sau khi đã khôi phục bằng công cụ khác.\n" Q11_DATABASE_OPTION_HELP;

constexpr const char* kManifestFirstLine = "q11-backup 1";

int Usage(const char* command, const char* usage, const std::string& message) {
  std::fprintf(stderr, "syncserver %s: %s\n%s", command, message.c_str(), usage);
  return 2;
}

int Fail(const char* command, const Status& s) {
  std::fprintf(stderr, "syncserver %s: %s\n", command, s.message().c_str());
  return 1;
}

// PostgreSQL has its own tools for this, which also do point-in-time recovery.
Status PostgresRefusal(const char* command) {
  return FailedPrecondition(
      std::string("`syncserver ") + command +
      "` works on the embedded SQLite database only; for PostgreSQL use pg_dump / pg_restore "
      "or pg_basebackup, then `syncserver restore --new-epoch --data=DIR --database=URL` after "
      "a restore (docs/backup.md) / chỉ dùng cho SQLite; với PostgreSQL hãy dùng pg_dump hoặc "
      "pg_basebackup, rồi `syncserver restore --new-epoch`");
}

double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

// The complete photos in `dir` (a .meta file is written last: the photo is whole), by
// SHA-256, with the bytes of their files.
struct PhotoFiles {
  std::vector<std::string> shas;
  int64_t bytes = 0;
};

PhotoFiles CompletePhotos(const std::string& dir) {
  PhotoFiles out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() != 64 + 5 || name.compare(64, 5, ".meta") != 0) continue;
    const std::string sha = name.substr(0, 64);
    out.shas.push_back(sha);
    for (const char* ext : {".full", ".thumb", ".meta"})
      out.bytes += FileSize(dir + "/" + sha + ext);
  }
  std::sort(out.shas.begin(), out.shas.end());
  return out;
}

// Copies the photos of `from` that `to` lacks, .meta last (what makes a photo complete).
Result<int> CopyPhotos(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Unavailable("cannot create " + to + ": " + ec.message());
  int copied = 0;
  for (const std::string& sha : CompletePhotos(from).shas) {
    if (fs::exists(to + "/" + sha + ".meta", ec)) continue;  // content-addressed: the same
    for (const char* ext : {".full", ".thumb", ".meta"}) {
      const std::string src = from + "/" + sha + ext;
      if (!fs::exists(src, ec)) continue;
      Q11_RETURN_IF_ERROR(CopyFileDurably(*PosixFileSync(), src, to + "/" + sha + ext));
    }
    ++copied;
  }
  return copied;
}

Result<std::string> QueryOne(sql::Db& db, const std::string& sql) {
  Result<std::optional<std::string>> v = db.QueryText(sql);
  if (!v.ok()) return v.status();
  return v->value_or("");
}

// What a backup's database must show before it is used: intact, and a server database of
// a version this build knows. `full`: PRAGMA integrity_check (every page), else quick_check.
Result<int> CheckServerDatabase(sql::Db& db, const std::string& path, bool full) {
  Result<std::string> check = QueryOne(db, full ? "PRAGMA integrity_check" : "PRAGMA quick_check");
  if (!check.ok())
    return FailedPrecondition(path + " is not a readable SQLite database (" +
                              check.status().message() +
                              ") / tệp không phải cơ sở dữ liệu SQLite dùng được");
  if (*check != "ok")
    return FailedPrecondition(path + " is damaged (integrity check: " + *check +
                              ") / cơ sở dữ liệu bị hỏng");
  Result<std::string> version = QueryOne(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  std::optional<long> v = version.ok() ? ParseInt(*version, 1, 1000000) : std::nullopt;
  if (!v)
    return FailedPrecondition(path +
                              " is not a syncserver database (no schema version) / không "
                              "phải cơ sở dữ liệu của syncserver");
  if (*v > kServerSchemaVersion)
    return FailedPrecondition(path + " has schema version " + std::to_string(*v) +
                              ", newer than this syncserver knows (" +
                              std::to_string(kServerSchemaVersion) +
                              "): restore it with a newer syncserver / phiên bản dữ liệu mới hơn");
  return static_cast<int>(*v);
}

std::string Epoch(sql::Db& db) {
  Result<std::string> e = QueryOne(db, "SELECT epoch FROM server_epoch WHERE id = 1");
  return e.ok() ? *e : "";
}

// Free bytes where `path` (or its folder) would be written.
int64_t FreeBytesAt(const std::string& path) {
  fs::path p = fs::absolute(path).parent_path();
  struct statvfs st {};
  if (::statvfs(p.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
}

Result<std::string> ReadManifest(const std::string& backup) {
  std::ifstream in(backup + "/MANIFEST");
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().rfind(kManifestFirstLine, 0) != 0)
    return FailedPrecondition(backup + " is not a syncserver backup (no MANIFEST starting \"" +
                              kManifestFirstLine +
                              "\"): name the folder `syncserver backup --to` made / không phải "
                              "bản sao lưu của syncserver");
  return text.str();
}

// Removes a folder or file on destruction unless Keep() was called: a failed backup or
// restore leaves no half-made copy behind.
class RemoveUnlessKept {
 public:
  explicit RemoveUnlessKept(std::string path) : path_(std::move(path)) {}
  ~RemoveUnlessKept() {
    std::error_code ec;
    if (!kept_) fs::remove_all(path_, ec);
  }
  void Keep() { kept_ = true; }

 private:
  std::string path_;
  bool kept_ = false;
};

class Timer {
 public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

Status Backup(const std::string& data, const std::string& to, bool force) {
  Q11_RETURN_IF_ERROR(RequireDataDir(data));
  const DataPaths paths = PathsFor(data);
  {
    Result<sql::Db> db = sql::Db::Open(paths.database, /*create=*/false);
    if (!db.ok())
      return FailedPrecondition("cannot open " + paths.database + ": " + db.status().message());
    Result<std::string> v = QueryOne(*db, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (!v.ok() || v->empty())
      return FailedPrecondition(data + " is not a syncserver data folder (" + paths.database +
                                " has no schema version) / không phải thư mục dữ liệu syncserver");
  }
  std::error_code ec;
  if (fs::exists(to, ec)) {
    if (!force)
      return AlreadyExists(to +
                           " exists: choose a new name, or --force to replace an older "
                           "backup there / " +
                           to + " đã tồn tại");
    if (!ReadManifest(to).ok())
      return FailedPrecondition(to + " exists and is not a syncserver backup: not replaced / " +
                                to + " không phải bản sao lưu, không ghi đè");
  }
  // Room for the database (its log's pages may be newer copies of the same pages: at most
  // both), the keys and every complete photo, plus a margin.
  const PhotoFiles photos = CompletePhotos(paths.photos);
  const int64_t need =
      FileSize(paths.database) + FileSize(paths.database + "-wal") + photos.bytes + (1 << 20);
  const int64_t free = FreeBytesAt(to);
  if (free >= 0 && free < need + need / 20)
    return ResourceExhausted("not enough space for the backup at " + to + ": it needs about " +
                             std::to_string(static_cast<int64_t>(MiB(need)) + 1) + " MiB, " +
                             std::to_string(static_cast<int64_t>(MiB(free))) +
                             " MiB free / không đủ chỗ trống cho bản sao lưu");

  Timer timer;
  const std::string tmp = to + ".partial";
  fs::remove_all(tmp, ec);
  RemoveUnlessKept partial(tmp);
  fs::create_directories(tmp, ec);
  if (ec) return Unavailable("cannot create " + tmp + ": " + ec.message());
  fs::permissions(tmp, fs::perms::owner_all, fs::perm_options::replace, ec);

  // 1. The database first: every photo its snapshot names is complete by then, and the
  // files are immutable, so copying them afterwards keeps the backup consistent.
  OnlineBackupOptions options;
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  options.progress = [&last](const BackupProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(500) && p.pages_done != p.pages_total) return;
    last = now;
    std::fprintf(stderr, "backup: database %lld/%lld pages (%d%%)\n",
                 static_cast<long long>(p.pages_done), static_cast<long long>(p.pages_total),
                 p.pages_total > 0 ? static_cast<int>(100 * p.pages_done / p.pages_total) : 100);
  };
  const std::string db_copy = tmp + "/syncserver.db";
  Result<BackupProgress> copied = CopyLiveDatabase(paths.database, db_copy, options);
  if (!copied.ok()) return copied.status();
  std::string epoch;
  int version = 0;
  {
    Result<sql::Db> db = sql::Db::Open(db_copy, /*create=*/false);
    if (!db.ok()) return db.status();
    Result<int> v = CheckServerDatabase(*db, db_copy, /*full=*/false);
    if (!v.ok()) return v.status();
    version = *v;
    epoch = Epoch(*db);
  }
  Q11_RETURN_IF_ERROR(SyncPath(*PosixFileSync(), db_copy));
  // 2. The keys: without contact.key the sealed contact details cannot be read again.
  for (const std::string& key : {paths.signing_key, paths.contact_key}) {
    if (!fs::exists(key, ec)) continue;
    const std::string dst = tmp + "/" + fs::path(key).filename().string();
    Q11_RETURN_IF_ERROR(CopyFileDurably(*PosixFileSync(), key, dst));
    fs::permissions(dst, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                    ec);
  }
  // 3. The photos.
  Result<int> photo_count = CopyPhotos(paths.photos, tmp + "/photos");
  if (!photo_count.ok()) return photo_count.status();
  const int64_t db_bytes = FileSize(db_copy);
  std::string manifest = std::string(kManifestFirstLine) + "\n" +
                         "created_at=" + FormatUtc(CliNowMs()) + "\n" +
                         "schema_version=" + std::to_string(version) + "\n" + "epoch=" + epoch +
                         "\n" + "database_bytes=" + std::to_string(db_bytes) + "\n" +
                         "photos=" + std::to_string(*photo_count) + "\n";
  Q11_RETURN_IF_ERROR(WriteFileDurably(*PosixFileSync(), tmp + "/MANIFEST", manifest));
  // 4. Complete: the folder takes its name only now, so a backup under that name is whole.
  if (fs::exists(to, ec)) fs::remove_all(to, ec);
  fs::rename(tmp, to, ec);
  if (ec) return Unavailable("cannot rename " + tmp + " to " + to + ": " + ec.message());
  partial.Keep();
  Q11_RETURN_IF_ERROR(SyncPath(*PosixFileSync(), ParentDir(fs::absolute(to).string())));
  std::fprintf(stderr,
               "backup: done / đã sao lưu %s -> %s: database %.1f MiB (%lld pages), %d photos "
               "(%.1f MiB), epoch %s, in %.1f s\n",
               data.c_str(), to.c_str(), MiB(db_bytes), static_cast<long long>(copied->pages_total),
               *photo_count, MiB(photos.bytes), epoch.c_str(), timer.Seconds());
  return Status::Ok();
}

// "20261206T213000Z": a name part for the folder the replaced files move to.
std::string StampNow() {
  std::string t = FormatUtc(CliNowMs());  // 2026-12-06T21:30:00.000Z
  std::string out;
  for (char c : t.substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out + "Z";
}

Status Restore(const std::string& from, const std::string& data) {
  Result<std::string> manifest = ReadManifest(from);
  if (!manifest.ok()) return manifest.status();
  std::error_code ec;
  const std::string backup_db = from + "/syncserver.db";
  if (!fs::is_regular_file(backup_db, ec))
    return FailedPrecondition(from +
                              " has no syncserver.db: the backup is incomplete / bản sao "
                              "lưu thiếu cơ sở dữ liệu");
  Q11_RETURN_IF_ERROR(EnsureDataDir(data));
  Result<DataDirLock> lock = DataDirLock::Take(data, DataDirLock::Mode::kExclusive);
  if (!lock.ok()) return lock.status();
  const DataPaths paths = PathsFor(data);

  // Checked on a copy beside its destination, so the backup itself is never written to.
  const std::string incoming = paths.database + ".restoring";
  fs::remove(incoming, ec);
  RemoveUnlessKept unchecked(incoming);
  Q11_RETURN_IF_ERROR(CopyFileDurably(*PosixFileSync(), backup_db, incoming));
  std::string old_epoch, new_epoch;
  {
    Result<sql::Db> db = sql::Db::Open(incoming, /*create=*/false);
    if (!db.ok()) return FailedPrecondition(backup_db + ": " + db.status().message());
    Result<int> version = CheckServerDatabase(*db, backup_db, /*full=*/true);
    if (!version.ok()) return version.status();
    old_epoch = Epoch(*db);
    // The new epoch: devices that synced with the server after the backup learn from it
    // that the server went back in time (docs/backup.md, "How devices heal").
    Q11_RETURN_IF_ERROR(db->Exec(
        "CREATE TABLE IF NOT EXISTS server_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "epoch TEXT NOT NULL);"
        "INSERT OR REPLACE INTO server_epoch (id, epoch) VALUES (1, lower(hex(randomblob(16))))"));
    new_epoch = Epoch(*db);
  }
  Q11_RETURN_IF_ERROR(SyncPath(*PosixFileSync(), incoming));

  // The files replaced are moved aside, never deleted: a restore of the wrong backup can be
  // undone. The old database's log must go with it: left beside the restored file, SQLite
  // would replay it into a database it does not belong to.
  const std::string aside = data + "/before-restore-" + StampNow();
  bool moved = false;
  for (const std::string& f : {paths.database, paths.database + "-wal", paths.database + "-shm"}) {
    if (!fs::exists(f, ec)) continue;
    if (!moved) fs::create_directories(aside, ec);
    moved = true;
    fs::rename(f, aside + "/" + fs::path(f).filename().string(), ec);
    if (ec) return Unavailable("cannot move " + f + " to " + aside + ": " + ec.message());
  }
  Q11_RETURN_IF_ERROR(RenameDurably(*PosixFileSync(), incoming, paths.database));
  unchecked.Keep();

  // The keys: the backup's contact key seals its contacts; a signing key is kept when the
  // folder has one (the tokens devices hold stay valid).
  if (fs::exists(from + "/contact.key", ec)) {
    if (fs::exists(paths.contact_key, ec)) {
      fs::create_directories(aside, ec);
      moved = true;
      fs::rename(paths.contact_key, aside + "/contact.key", ec);
    }
    Q11_RETURN_IF_ERROR(
        CopyFileDurably(*PosixFileSync(), from + "/contact.key", paths.contact_key));
    fs::permissions(paths.contact_key, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
  }
  if (!fs::exists(paths.signing_key, ec) && fs::exists(from + "/jwt.key", ec)) {
    Q11_RETURN_IF_ERROR(CopyFileDurably(*PosixFileSync(), from + "/jwt.key", paths.signing_key));
    fs::permissions(paths.signing_key, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
  }
  Result<int> photos = CopyPhotos(from + "/photos", paths.photos);
  if (!photos.ok()) return photos.status();
  std::fprintf(stderr,
               "restore: done / đã khôi phục %s -> %s: epoch %s -> %s, %d photos copied%s%s\n",
               from.c_str(), data.c_str(), old_epoch.empty() ? "(none)" : old_epoch.c_str(),
               new_epoch.c_str(), *photos, moved ? "; the replaced files are in " : "",
               moved ? aside.c_str() : "");
  return Status::Ok();
}

// After a restore by other means (pg_restore, a copied file): only the epoch changes,
// through the store, on either engine.
Status NewEpoch(const std::string& data, const std::string& url) {
  Q11_RETURN_IF_ERROR(RequireDataDir(data, url));
  std::optional<DataDirLock> lock;
  if (url.empty()) {  // a PostgreSQL database's servers may run elsewhere: the operator stops them
    Result<DataDirLock> l = DataDirLock::Take(data, DataDirLock::Mode::kExclusive);
    if (!l.ok()) return l.status();
    lock.emplace(std::move(*l));
  }
  Result<std::unique_ptr<ServerStore>> store = OpenServerStore(PathsFor(data), url);
  if (!store.ok()) return store.status();
  const std::string epoch = HexEncode(RandomBytes(16));
  Q11_RETURN_IF_ERROR((*store)->Write([&epoch](SqlConn& db) -> Status {
    Result<SqlStmt> st = db.Prepare("UPDATE server_epoch SET epoch = ?1 WHERE id = 1");
    if (!st.ok()) return st.status();
    return st->Bind(1, epoch).Run();
  }));
  std::fprintf(stderr, "restore: the server's epoch is now %s / epoch mới\n", epoch.c_str());
  return Status::Ok();
}

}  // namespace

int RunBackupCommand(int argc, char** argv) {
  Result<CliArgs> args = ParseCliArgs(argc, argv, 2, CliSpec{{"data", "to"}, {"force"}});
  if (!args.ok()) return Usage("backup", kBackupUsage, args.status().message());
  if (args->Has("help")) {
    std::fputs(kBackupUsage, stdout);
    return 0;
  }
  if (!args->Get("database").empty()) return Fail("backup", PostgresRefusal("backup"));
  if (args->Get("data").empty())
    return Usage("backup", kBackupUsage, "missing --data / thiếu --data");
  if (args->Get("to").empty()) return Usage("backup", kBackupUsage, "missing --to / thiếu --to");
  Status s = Backup(args->Get("data"), args->Get("to"), args->Has("force"));
  return s.ok() ? 0 : Fail("backup", s);
}

int RunRestoreCommand(int argc, char** argv) {
  Result<CliArgs> args = ParseCliArgs(argc, argv, 2, CliSpec{{"data", "from"}, {"new-epoch"}});
  if (!args.ok()) return Usage("restore", kRestoreUsage, args.status().message());
  if (args->Has("help")) {
    std::fputs(kRestoreUsage, stdout);
    return 0;
  }
  if (args->Has("new-epoch")) {
    if (args->Get("data").empty())
      return Usage("restore", kRestoreUsage, "missing --data / thiếu --data");
    if (args->Has("from")) return Usage("restore", kRestoreUsage, "--new-epoch takes no --from");
    Status s = NewEpoch(args->Get("data"), args->Get("database"));
    return s.ok() ? 0 : Fail("restore", s);
  }
  if (!args->Get("database").empty()) return Fail("restore", PostgresRefusal("restore"));
  if (args->Get("data").empty())
    return Usage("restore", kRestoreUsage, "missing --data / thiếu --data");
  if (args->Get("from").empty())
    return Usage("restore", kRestoreUsage, "missing --from / thiếu --from");
  Status s = Restore(args->Get("from"), args->Get("data"));
  return s.ok() ? 0 : Fail("restore", s);
}

}  // namespace q11::server
