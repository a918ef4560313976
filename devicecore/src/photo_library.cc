// Attaching and listing photos, and the storage budget (devicecore/photos.h).
#include <filesystem>
#include <fstream>

#include "database_impl.h"
#include "device_schema.h"
#include "devicecore/photos.h"
#include "filesync/durable_file.h"
#include "filesync/file_sync.h"
#include "photo_folder.h"
#include "protocol/ids.h"
#include "protocol/photo_limits.h"
#include "report_writes.h"
#include "status_macros.h"

namespace q11::device {
namespace {

constexpr char kBudgetKey[] = "photo_budget_bytes";

struct CheckedFile {
  std::string path, sha256, mime;
  int64_t bytes = 0;
};

std::string MiB(int64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

Result<CheckedFile> Check(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return NotFound("no photo file " + path + " / không tìm thấy tệp ảnh " + path);
  CheckedFile f;
  f.path = path;
  f.bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  if (ec) return Unavailable("cannot read " + path + ": " + ec.message());
  if (f.bytes == 0) return InvalidArgument(path + " is empty / tệp ảnh rỗng");
  if (f.bytes > photos::kMaxPhotoBytes)
    return ResourceExhausted(path + " is " + std::to_string(f.bytes) +
                             " bytes; a photo may be at most " + MiB(photos::kMaxPhotoBytes) +
                             " / ảnh quá lớn (tối đa " + MiB(photos::kMaxPhotoBytes) + ")");
  char head[16] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(head, sizeof head);
  f.mime = std::string(photos::SniffMime(std::string_view(head, static_cast<size_t>(in.gcount()))));
  if (f.mime.empty())
    return InvalidArgument(path +
                           " is not a JPEG, PNG, WebP or HEIC photo / tệp không phải ảnh JPEG, "
                           "PNG, WebP hoặc HEIC");
  Q11_ASSIGN_OR_RETURN(f.sha256, Sha256OfFile(path));
  return f;
}

// Copies the checked photo to `to` durably (temporary file, sync, rename, sync the
// folder), so after a power cut `to` is whole or absent. A file already there (the same
// content address) is kept when it hashes right, and synced again: an earlier attach may
// have failed between its rename and the folder's sync.
Status CopyDurably(FileSync& sync, const CheckedFile& from, const std::string& to) {
  std::error_code ec;
  if (std::filesystem::exists(to, ec)) {
    Result<std::string> have = Sha256OfFile(to);
    if (have.ok() && *have == from.sha256) {
      Q11_RETURN_IF_ERROR(SyncPath(sync, to));
      return sync.SyncDir(ParentDir(to));
    }
  }
  return CopyFileDurably(sync, from.path, to);
}

}  // namespace

Status CheckPhotoFile(const std::string& path) { return Check(path).status(); }

Result<std::vector<std::string>> AttachPhotos(Database& database, const std::string& report_id,
                                              const std::vector<std::string>& files) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("AttachPhotos needs a Database made by Database::Open");
  if (files.empty()) return std::vector<std::string>();
  std::vector<CheckedFile> checked;
  for (const std::string& f : files) {
    Q11_ASSIGN_OR_RETURN(CheckedFile c, Check(f));
    checked.push_back(std::move(c));
  }
  Result<Account> account = db->GetAccount();
  // First: a failing read is an error, not "nobody logged in" (which would make an
  // official's result photo a report photo).
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(account));
  const bool staff = account.ok() && !account->role.empty() && account->role != "citizen";
  const std::string role = staff ? "result" : "report";

  PhotoFolder folder(*db);
  Q11_RETURN_IF_ERROR(folder.EnsureDir());
  // The bytes first, durably: a row never points at bytes that are not there, also after a
  // power cut. A failure (EIO, a full disk) ends the attach before the transaction, so no
  // row is written. Files of a write that then fails stay as unreferenced copies until the
  // same photo is attached again.
  for (const CheckedFile& c : checked)
    Q11_RETURN_IF_ERROR(CopyDurably(db->file_sync(), c, folder.FilePath(c.sha256, "original")));

  std::vector<std::string> ids;
  Q11_RETURN_IF_ERROR(
      db->Captured([&]() -> Status {
          StatementCache& cache = db->cache();
          {
            Q11_ASSIGN_OR_RETURN(
                auto st, cache.Get("SELECT coalesce(reporter_ref, '') FROM reports WHERE id = ?"));
            st->Bind(1, report_id);
            Q11_ASSIGN_OR_RETURN(bool found, st->Step());
            if (!found)
              return NotFound("no report " + report_id + " on this device / không có phản ánh " +
                              report_id);
            std::string ref = st->Text(0);
            if (!staff && account.ok() && !ref.empty() && ref != account->reporter_ref)
              return PermissionDenied(
                  "citizens may attach photos only to their own reports / người dân chỉ được "
                  "đính kèm ảnh vào phản ánh của mình");
          }
          {
            Q11_ASSIGN_OR_RETURN(
                auto st, cache.Get("SELECT count(*) FROM photos WHERE report_id = ? AND role = ?"));
            st->Bind(1, report_id).Bind(2, role);
            Q11_ASSIGN_OR_RETURN(bool row, st->Step());
            int64_t held = row ? st->Int(0) : 0;
            if (held + static_cast<int64_t>(checked.size()) > photos::kMaxPhotosPerReport)
              return ResourceExhausted("a report may have at most " +
                                       std::to_string(photos::kMaxPhotosPerReport) + " " + role +
                                       " photos (it has " + std::to_string(held) +
                                       ") / mỗi phản ánh chỉ "
                                       "được tối đa " +
                                       std::to_string(photos::kMaxPhotosPerReport) + " ảnh");
          }
          Q11_ASSIGN_OR_RETURN(
              auto insert,
              cache.Get("INSERT INTO photos(id, report_id, role, sha256, mime, bytes, width, "
                        "height, author_ref, author_role, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)"));
          const std::string now = FormatUtc(db->env().NowMs());
          for (const CheckedFile& c : checked) {
            std::string id = NewId(db->env());
            insert->Bind(1, id)
                .Bind(2, report_id)
                .Bind(3, role)
                .Bind(4, c.sha256)
                .Bind(5, c.mime)
                .Bind(6, c.bytes)
                .Bind(7, author.ref)
                .Bind(8, author.role)
                .Bind(9, now);
            Q11_RETURN_IF_ERROR(insert->Run());
            Q11_ASSIGN_OR_RETURN(auto have, folder.Find(c.sha256, "original"));
            if (!have || have->state == "partial" || have->state == "cached")
              Q11_RETURN_IF_ERROR(
                  folder.Put(PhotoFolder::Entry{c.sha256, "original", "unsent", "", "", c.bytes}));
            ids.push_back(std::move(id));
          }
          return Status::Ok();
        }).status());
  return ids;
}

Result<std::vector<Photo>> ListPhotos(Database& database, const std::string& report_id) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("ListPhotos needs a Database made by Database::Open");
  Q11_ASSIGN_OR_RETURN(
      auto st,
      db->cache().Get("SELECT p.id, p.report_id, p.role, p.sha256, p.mime, p.bytes, p.width, "
                      "p.height, coalesce(p.author_role, ''), p.created_at, "
                      "coalesce((SELECT state FROM photo_files f WHERE f.sha256 = p.sha256 "
                      "  ORDER BY variant = 'original' DESC, variant = 'full' DESC LIMIT 1), ''), "
                      "coalesce((SELECT message FROM photo_files f WHERE f.sha256 = p.sha256 "
                      "  AND variant = 'original'), '') "
                      "FROM photos p WHERE p.report_id = ? ORDER BY p.created_at, p.id"));
  st->Bind(1, report_id);
  std::vector<Photo> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    Photo p;
    p.id = st->Text(0);
    p.report_id = st->Text(1);
    p.role = st->Text(2);
    p.sha256 = st->Text(3);
    p.mime = st->Text(4);
    p.bytes = st->Int(5);
    if (!st->IsNull(6)) p.width = static_cast<int>(st->Int(6));
    if (!st->IsNull(7)) p.height = static_cast<int>(st->Int(7));
    p.author_role = st->Text(8);
    p.created_at = st->Text(9);
    p.local = st->Text(10);
    if (p.local == "partial") p.local = "";
    p.message = st->Text(11);
    out.push_back(std::move(p));
  }
  return out;
}

Result<int64_t> PhotoBudget(Database& database) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("PhotoBudget needs a Database made by Database::Open");
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, db->meta().Get(kBudgetKey));
  if (!v) return kDefaultPhotoBudgetBytes;
  return static_cast<int64_t>(std::atoll(v->c_str()));
}

Status SetPhotoBudget(Database& database, int64_t bytes) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr)
    return InvalidArgument("SetPhotoBudget needs a Database made by Database::Open");
  if (bytes < 0) return InvalidArgument("the photo budget must be 0 or more bytes");
  Q11_RETURN_IF_ERROR(db->meta().Set(kBudgetKey, std::to_string(bytes)));
  PhotoFolder folder(*db);
  return folder.Evict(bytes, "", "");
}

}  // namespace q11::device
