#include "database_impl.h"

#include "device_schema.h"
#include "epoch_heal.h"
#include "filesync/file_sync.h"
#include "photo_folder.h"
#include "report_filter.h"
#include "report_sync.h"
#include "status_macros.h"

namespace q11::device {

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, const Options& options) {
  Env* env = options.env != nullptr ? options.env : DefaultEnv();
  Q11_ASSIGN_OR_RETURN(sql::Db db, sql::Db::Open(path));
  Q11_RETURN_IF_ERROR(PrepareDeviceDatabase(db, *env));
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> device_id,
                       db.QueryText("SELECT value FROM device_meta WHERE key = 'device_id'"));
  if (!device_id || device_id->empty()) return DataLoss("the device database has no device id");
  FileSync* file_sync = options.file_sync != nullptr ? options.file_sync : PosixFileSync();
  return std::unique_ptr<Database>(new DatabaseImpl(std::move(db), env, file_sync, *device_id));
}

DatabaseImpl::DatabaseImpl(sql::Db db, Env* env, FileSync* file_sync, std::string device_id)
    : env_(env), file_sync_(file_sync), db_(std::move(db)), device_id_(std::move(device_id)) {}

Result<std::string> DatabaseImpl::FileReport(const NewReport& report) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  std::string id;
  Q11_RETURN_IF_ERROR(Captured([&]() -> Status {
                        Q11_ASSIGN_OR_RETURN(id, writes_.FileReport(report, author));
                        return Status::Ok();
                      }).status());
  return id;
}

Status DatabaseImpl::SetStatus(const std::string& report_id, const std::string& status,
                               const std::string& note) {
  return SetStatusMany({report_id}, status, note);
}

Status DatabaseImpl::SetStatusMany(const std::vector<std::string>& report_ids,
                                   const std::string& status, const std::string& note) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.SetStatus(report_ids, status, note, author); }).status();
}

Result<std::string> DatabaseImpl::AddComment(const std::string& report_id,
                                             const std::string& note) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  std::string id;
  Q11_RETURN_IF_ERROR(Captured([&]() -> Status {
                        Q11_ASSIGN_OR_RETURN(id, writes_.AddComment(report_id, note, author));
                        return Status::Ok();
                      }).status());
  return id;
}

Status DatabaseImpl::AssignUnit(const std::string& report_id, const std::string& unit_id,
                                const std::string& note) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.AssignUnit(report_id, unit_id, note, author); }).status();
}

Status DatabaseImpl::SetDeadline(const std::string& report_id, const std::string& due_iso,
                                 const std::string& note) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.SetDeadline(report_id, due_iso, note, author); }).status();
}

Status DatabaseImpl::PostProgress(const std::string& report_id, const std::string& note,
                                  const std::string& expected_iso) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.PostProgress(report_id, note, expected_iso, author); })
      .status();
}

Status DatabaseImpl::MarkDuplicate(const std::string& report_id, const std::string& original_id,
                                   const std::string& note) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.MarkDuplicate(report_id, original_id, note, author); })
      .status();
}

Status DatabaseImpl::RateResult(const std::string& report_id, int stars,
                                const std::string& comment) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.Rate(report_id, stars, comment, author); }).status();
}

Status DatabaseImpl::ReopenReport(const std::string& report_id, const std::string& reason) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.Reopen(report_id, reason, author); }).status();
}

Status DatabaseImpl::WithdrawReport(const std::string& report_id) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.Withdraw(report_id, author); }).status();
}

Status DatabaseImpl::EditReport(const std::string& report_id,
                                const std::optional<std::string>& title,
                                const std::optional<std::string>& description) {
  Q11_ASSIGN_OR_RETURN(Author author, AuthorFrom(meta_.GetAccount()));
  return Captured([&] { return writes_.Edit(report_id, title, description, author); }).status();
}

Status DatabaseImpl::ExecCaptured(const std::string& sql) {
  return Captured([&] { return db_.Exec(sql); }).status();
}

// The reads below take one snapshot (a deferred transaction), so the reports and the sync
// state agree even while a sync commits in another process.
Result<std::vector<Report>> DatabaseImpl::ListReports() {
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db_, /*immediate=*/false));
  Q11_ASSIGN_OR_RETURN(std::vector<Report> reports, queries_.List());
  Q11_ASSIGN_OR_RETURN(ReportSyncIndex index, ReportSyncIndex::Build(outbox_));
  const int64_t now_ms = env_->NowMs();
  for (Report& r : reports) {
    r.overdue = IsOverdue(r, now_ms);
    if (const ReportSync* s = index.Find(r.id)) {
      r.sync_state = s->state;
      r.pending_changes = s->pending;
    }
  }
  return reports;
}

Result<std::vector<Report>> DatabaseImpl::FindReports(const ReportFilter& filter) {
  Q11_ASSIGN_OR_RETURN(std::vector<Report> all, ListReports());
  std::vector<Report> out;
  for (Report& r : all)
    if (MatchesFilter(r, filter)) out.push_back(std::move(r));
  if (filter.order == ReportFilter::Order::kByDeadline) SortByDeadline(out);
  return out;
}

Result<std::string> DatabaseImpl::ResolveReportId(const std::string& id_or_code) {
  return queries_.Resolve(id_or_code);
}

Result<Report> DatabaseImpl::GetReport(const std::string& id) {
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db_, /*immediate=*/false));
  Q11_ASSIGN_OR_RETURN(Report r, queries_.Get(id));
  r.overdue = IsOverdue(r, env_->NowMs());
  Q11_ASSIGN_OR_RETURN(ReportSyncIndex index, ReportSyncIndex::Build(outbox_));
  if (const ReportSync* s = index.Find(id)) r.sync = *s;
  r.sync_state = r.sync.state;
  r.pending_changes = r.sync.pending;
  return r;
}

Result<ReportSync> DatabaseImpl::GetReportSync(const std::string& id) {
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db_, /*immediate=*/false));
  Q11_ASSIGN_OR_RETURN(ReportSyncIndex index, ReportSyncIndex::Build(outbox_));
  if (const ReportSync* s = index.Find(id)) return *s;
  Q11_RETURN_IF_ERROR(queries_.Get(id).status());  // kNotFound when the device has neither
  return ReportSync{};
}

Status DatabaseImpl::SaveAccount(const Account& account) {
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db_));
  Q11_RETURN_IF_ERROR(meta_.SaveAccount(account));
  return tx.Commit();
}

Status DatabaseImpl::Logout() {
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db_));
  Q11_RETURN_IF_ERROR(meta_.ForgetTokens());
  return tx.Commit();
}

Status DatabaseImpl::ResetForNewUser() {
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db_));
  Q11_ASSIGN_OR_RETURN(int64_t waiting, outbox_.CountAll());
  if (waiting > 0)
    return FailedPrecondition(std::to_string(waiting) +
                              " changes of the previous account are not synced yet: log in as "
                              "that account and sync first / còn thay đổi chưa đồng bộ của tài "
                              "khoản trước");
  // Photos taken by the previous account whose bytes have not gone up are kept until they do.
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> unsent,
                       db_.QueryText("SELECT count(*) FROM photo_files f WHERE state = 'unsent' "
                                     "AND EXISTS (SELECT 1 FROM photos p WHERE p.sha256 = "
                                     "f.sha256)"));
  if (unsent && *unsent != "0")
    return FailedPrecondition(*unsent +
                              " photos of the previous account are not sent yet: log in as that "
                              "account and sync first / còn ảnh chưa gửi của tài khoản trước");
  // Its downloaded photos are not for the next account's eyes.
  Q11_RETURN_IF_ERROR(PhotoFolder(*this).Evict(0, "", ""));
  // Not captured: this is not a user edit, it forgets a replica that belongs to someone else.
  Q11_RETURN_IF_ERROR(
      db_.Exec("DELETE FROM photos; DELETE FROM case_events; DELETE FROM reports; "
               "DELETE FROM settled_changes;"));
  std::string device_id = NewId(*env_);
  Q11_RETURN_IF_ERROR(meta_.Set("device_id", device_id));
  Q11_RETURN_IF_ERROR(meta_.SetCursor(0));
  // A heal under way (epoch_heal.h) kept the previous account's rows aside: not for the
  // next account, and not to be pushed again under its name.
  Q11_RETURN_IF_ERROR(
      db_.Exec("DROP TABLE IF EXISTS heal_reports; DROP TABLE IF EXISTS heal_case_events; "
               "DROP TABLE IF EXISTS heal_photos"));
  Q11_RETURN_IF_ERROR(meta_.Erase(kServerEpochKey));
  Q11_RETURN_IF_ERROR(meta_.Erase(kHealPendingKey));
  Q11_RETURN_IF_ERROR(meta_.Erase(kHealEntryKey));
  Q11_RETURN_IF_ERROR(tx.Commit());
  device_id_ = device_id;
  return Status::Ok();
}

}  // namespace q11::device
