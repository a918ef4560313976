#include "photo_folder.h"

#include <filesystem>
#include <fstream>

#include "filesync/durable_file.h"
#include "filesync/file_sync.h"
#include "protocol/schema.h"
#include "protocol/sha256.h"
#include "status_macros.h"

namespace q11::device {
namespace {

constexpr std::string_view kPhotoTablesSql = R"sql(
CREATE TABLE IF NOT EXISTS photo_files (
  sha256 TEXT NOT NULL,
  variant TEXT NOT NULL CHECK (variant IN ('original', 'full', 'thumb')),
  state TEXT NOT NULL CHECK (state IN ('unsent', 'refused', 'sent', 'partial', 'cached')),
  bytes INTEGER NOT NULL DEFAULT 0,
  message TEXT,
  etag TEXT,
  last_used_ms INTEGER NOT NULL,
  PRIMARY KEY (sha256, variant)
);
)sql";

}  // namespace

Status EnsurePhotoTables(sql::Db& db) {
  Q11_RETURN_IF_ERROR(db.Exec(q11::schema::SyncedTablesSql()));
  return db.Exec(kPhotoTablesSql);
}

Result<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path + " / không đọc được tệp " + path);
  Sha256 sha;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    if (in.gcount() > 0) sha.Update(buf, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Unavailable("error reading " + path);
  return Sha256::Hex(sha.Finish());
}

PhotoFolder::PhotoFolder(DatabaseImpl& db) : db_(db) {
  const char* file = sqlite3_db_filename(db.db().get(), "main");
  dir_ = (file != nullptr && *file != '\0' ? std::string(file) : std::string("q11-memory")) +
         ".photos";
}

std::string PhotoFolder::FilePath(const std::string& sha256, const std::string& variant) const {
  return dir_ + "/" + sha256 + "." + variant;
}

Status PhotoFolder::EnsureDir() const {
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir_, ec);
  if (ec) return Unavailable("cannot create the photo folder " + dir_ + ": " + ec.message());
  // Else a power cut could take the new folder, and every photo in it, with it.
  if (created) return db_.file_sync().SyncDir(ParentDir(dir_));
  return Status::Ok();
}

Result<std::optional<PhotoFolder::Entry>> PhotoFolder::Find(const std::string& sha256,
                                                            const std::string& variant) {
  Q11_ASSIGN_OR_RETURN(auto st, db_.cache().Get("SELECT state, bytes, coalesce(message, ''), "
                                                "coalesce(etag, '') FROM photo_files "
                                                "WHERE sha256 = ? AND variant = ?"));
  st->Bind(1, sha256).Bind(2, variant);
  Q11_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<Entry>();
  Entry e{sha256, variant, st->Text(0), st->Text(2), st->Text(3), st->Int(1)};
  return std::optional<Entry>(std::move(e));
}

Status PhotoFolder::Put(const Entry& e) {
  Q11_ASSIGN_OR_RETURN(auto st,
                       db_.cache().Get("INSERT OR REPLACE INTO photo_files(sha256, variant, "
                                       "state, bytes, message, etag, last_used_ms) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st->Bind(1, e.sha256).Bind(2, e.variant).Bind(3, e.state).Bind(4, e.bytes);
  if (e.message.empty())
    st->BindNull(5);
  else
    st->Bind(5, e.message);
  if (e.etag.empty())
    st->BindNull(6);
  else
    st->Bind(6, e.etag);
  st->Bind(7, db_.env().NowMs());
  return st->Run();
}

Status PhotoFolder::SetState(const std::string& sha256, const std::string& variant,
                             const std::string& state, const std::string& message) {
  Q11_ASSIGN_OR_RETURN(auto st, db_.cache().Get("UPDATE photo_files SET state = ?, message = ? "
                                                "WHERE sha256 = ? AND variant = ?"));
  st->Bind(1, state).Bind(2, message).Bind(3, sha256).Bind(4, variant);
  return st->Run();
}

Status PhotoFolder::Touch(const std::string& sha256, const std::string& variant) {
  Q11_ASSIGN_OR_RETURN(auto st, db_.cache().Get("UPDATE photo_files SET last_used_ms = ? "
                                                "WHERE sha256 = ? AND variant = ?"));
  st->Bind(1, db_.env().NowMs()).Bind(2, sha256).Bind(3, variant);
  return st->Run();
}

Status PhotoFolder::Forget(const std::string& sha256, const std::string& variant) {
  Q11_ASSIGN_OR_RETURN(auto st,
                       db_.cache().Get("DELETE FROM photo_files WHERE sha256 = ? AND variant = ?"));
  st->Bind(1, sha256).Bind(2, variant);
  Q11_RETURN_IF_ERROR(st->Run());
  std::error_code ec;
  std::filesystem::remove(FilePath(sha256, variant), ec);
  std::filesystem::remove(PartPath(sha256, variant), ec);
  return Status::Ok();
}

Result<std::vector<PhotoFolder::Entry>> PhotoFolder::Unsent() {
  Q11_ASSIGN_OR_RETURN(auto st, db_.cache().Get("SELECT sha256, bytes FROM photo_files "
                                                "WHERE variant = 'original' AND state = 'unsent' "
                                                "AND EXISTS (SELECT 1 FROM photos p "
                                                "  WHERE p.sha256 = photo_files.sha256) "
                                                "ORDER BY rowid"));
  std::vector<Entry> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(Entry{st->Text(0), "original", "unsent", "", "", st->Int(1)});
  }
  return out;
}

Status PhotoFolder::Evict(int64_t budget, const std::string& keep_sha256,
                          const std::string& keep_variant) {
  std::vector<Entry> evictable;
  int64_t total = 0;
  {
    Q11_ASSIGN_OR_RETURN(auto st, db_.cache().Get("SELECT sha256, variant, bytes FROM photo_files "
                                                  "WHERE state IN ('sent', 'partial', 'cached') "
                                                  "ORDER BY last_used_ms, rowid"));
    for (;;) {
      Q11_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Entry e{st->Text(0), st->Text(1), "", "", "", st->Int(2)};
      total += e.bytes;
      evictable.push_back(std::move(e));
    }
  }
  for (const Entry& e : evictable) {
    if (total <= budget) break;
    if (e.sha256 == keep_sha256 && e.variant == keep_variant) continue;
    Q11_RETURN_IF_ERROR(Forget(e.sha256, e.variant));
    total -= e.bytes;
  }
  return Status::Ok();
}

}  // namespace q11::device
