#include "report_writes.h"

#include <cmath>

#include "device_schema.h"
#include "local_writer.h"
#include "protocol/ids.h"
#include "protocol/receipt_code.h"
#include "protocol/schema.h"
#include "protocol/vietnam_time.h"
#include "status_macros.h"

namespace q11::device {
namespace {

// Generous bounds: the server has the final word, these only catch obvious mistakes early,
// while the user can still fix them (a rejection after sync is much worse).
constexpr size_t kMaxTitleBytes = 500;
constexpr size_t kMaxTextBytes = 20000;

bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

Result<Author> AuthorFrom(const Result<Account>& account) {
  Author a;
  if (!account.ok()) {
    if (account.status().code() == StatusCode::kNotFound) return a;  // nobody logged in
    if (sql::IsStorageError(account.status()))
      return PhoneStorageFailed("chưa lưu thay đổi này", "this change was not saved");
    if (sql::IsStorageFull(account.status())) return PhoneStorageFull();
    return account.status();
  }
  const Account& acc = account.value();
  // Citizens sign events with their pseudonym, never their account id: officials must not
  // learn who reported (docs/architecture.md: author_ref is a pseudonym for citizens).
  a.ref =
      NonEmpty(acc.role == "citizen" && !acc.reporter_ref.empty() ? acc.reporter_ref : acc.user_id);
  a.role = NonEmpty(acc.role);
  a.reporter_ref = NonEmpty(acc.reporter_ref);
  return a;
}

Result<bool> ReportWrites::Exists(const char* sql, const std::string& id) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get(sql));
  st->Bind(1, id);
  return st->Step();
}

Status ReportWrites::RequireReport(const std::string& id) {
  Q11_ASSIGN_OR_RETURN(bool found, Exists("SELECT 1 FROM reports WHERE id = ?", id));
  if (!found) return NotFound("no report " + id + " on this device / không có phản ánh " + id);
  return Status::Ok();
}

Result<std::string> ReportWrites::FileReport(const NewReport& r, const Author& author) {
  if (!q11::schema::OneOf(q11::schema::kReportKinds, r.kind))
    return InvalidArgument("kind must be phan_anh or gop_y, not \"" + r.kind + "\"");
  if (Blank(r.title)) return InvalidArgument("the title is empty / tiêu đề trống");
  if (r.title.size() > kMaxTitleBytes)
    return InvalidArgument("the title is longer than " + std::to_string(kMaxTitleBytes) + " bytes");
  if (r.description.size() > kMaxTextBytes)
    return InvalidArgument("the description is longer than " + std::to_string(kMaxTextBytes) +
                           " bytes");
  if (r.lat.has_value() != r.lon.has_value())
    return InvalidArgument("give both latitude and longitude, or neither");
  if (r.lat && !(std::isfinite(*r.lat) && *r.lat >= -90 && *r.lat <= 90))
    return InvalidArgument("latitude must be between -90 and 90");
  if (r.lon && !(std::isfinite(*r.lon) && *r.lon >= -180 && *r.lon <= 180))
    return InvalidArgument("longitude must be between -180 and 180");
  Q11_ASSIGN_OR_RETURN(bool category,
                       Exists("SELECT 1 FROM categories WHERE id = ?", r.category_id));
  if (!category)
    return InvalidArgument("unknown category \"" + r.category_id +
                           "\" (see q11 ref list) / không có lĩnh vực này");
  Q11_ASSIGN_OR_RETURN(bool ward,
                       Exists("SELECT 1 FROM units WHERE id = ? AND kind = 'ward'", r.ward_id));
  if (!ward)
    return InvalidArgument("unknown ward \"" + r.ward_id +
                           "\" (see q11 ref list) / không có phường này");
  if (r.id && !LooksLikeUuid(*r.id)) return InvalidArgument("report id must be a UUID: " + *r.id);

  std::string id = r.id ? *r.id : NewId(*env_);
  std::string now = FormatUtc(env_->NowMs());
  std::string created = r.created_at ? *r.created_at : now;
  if (!ParseUtc(created))
    return InvalidArgument("created_at is not an ISO-8601 UTC time: " + created);
  Q11_ASSIGN_OR_RETURN(
      auto st,
      cache_->Get("INSERT INTO reports(id, kind, category_id, ward_id, title, description, "
                  "lat, lon, address, status, assigned_unit, due_at, reporter_ref, "
                  "created_at, updated_at, receipt_code) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', NULL, NULL, ?, ?, ?, ?)"));
  st->Bind(1, id).Bind(2, r.kind).Bind(3, r.category_id).Bind(4, r.ward_id).Bind(5, r.title);
  st->Bind(6, r.description).Bind(7, r.lat).Bind(8, r.lon).Bind(9, r.address);
  st->Bind(10, author.reporter_ref).Bind(11, created).Bind(12, created);
  // Made here, offline: the citizen gets it at once; the server keeps it unless another
  // report already holds it (then the pull brings the one it assigned).
  st->Bind(13, NewReceiptCode());
  Status s = st->Run();
  if (s.code() == StatusCode::kAlreadyExists)
    return AlreadyExists("report " + id + " already exists");
  Q11_RETURN_IF_ERROR(s);
  return id;
}

Status ReportWrites::SetStatus(const std::vector<std::string>& report_ids,
                               const std::string& status, const std::string& note,
                               const Author& author) {
  if (!q11::schema::OneOf(q11::schema::kStatuses, status))
    return InvalidArgument("unknown status \"" + status +
                           "\": one of new, accepted, assigned, in_progress, resolved, closed, "
                           "rejected, duplicate, reopened");
  // Whoever reads the answer deserves the reason of a refusal or reopening and the result
  // itself (docs/workflow.md). The server does not insist: older clients stay valid.
  if (Blank(note) && (status == "rejected" || status == "resolved" || status == "reopened"))
    return InvalidArgument(status == "resolved"
                               ? "resolved needs the result text as the note / hãy ghi kết quả "
                                 "xử lý"
                               : status + " needs the reason as the note / hãy ghi lý do");
  std::string now = FormatUtc(env_->NowMs());
  for (const std::string& id : report_ids) {
    Q11_RETURN_IF_ERROR(RequireReport(id));
    Q11_ASSIGN_OR_RETURN(auto st,
                         cache_->Get("UPDATE reports SET status = ?, updated_at = ? WHERE id = ?"));
    Q11_RETURN_IF_ERROR(st->Bind(1, status).Bind(2, now).Bind(3, id).Run());
    CaseEvent e;
    e.id = NewId(*env_);
    e.report_id = id;
    e.kind = "status";
    e.status = status;
    e.note = note;
    e.author_ref = author.ref.value_or("");
    e.author_role = author.role.value_or("");
    e.created_at = now;
    Q11_RETURN_IF_ERROR(InsertEvent(e));
  }
  return Status::Ok();
}

Result<std::string> ReportWrites::AddComment(const std::string& report_id, const std::string& note,
                                             const Author& author) {
  if (Blank(note)) return InvalidArgument("the comment is empty / bình luận trống");
  if (note.size() > kMaxTextBytes) return InvalidArgument("the comment is too long");
  Q11_RETURN_IF_ERROR(RequireReport(report_id));
  CaseEvent e;
  e.id = NewId(*env_);
  e.report_id = report_id;
  e.kind = "comment";
  e.note = note;
  e.author_ref = author.ref.value_or("");
  e.author_role = author.role.value_or("");
  e.created_at = FormatUtc(env_->NowMs());
  Q11_RETURN_IF_ERROR(InsertEvent(e));
  return e.id;
}

Status ReportWrites::RequireStaff(const Author& author, const char* what_en, const char* what_vi) {
  if (author.role == std::optional<std::string>("citizen"))
    return PermissionDenied(std::string("only officials may ") + what_en + " / chỉ cán bộ được " +
                            what_vi);
  return Status::Ok();
}

Status ReportWrites::RequireOwnNewReport(const std::string& id, const Author& author,
                                         const char* what_en, const char* what_vi) {
  if (author.role && *author.role != "citizen")
    return PermissionDenied(std::string("only the citizen who filed a report may ") + what_en +
                            " it / chỉ người gửi phản ánh mới được " + what_vi);
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("SELECT status, reporter_ref FROM reports WHERE id = ?"));
  st->Bind(1, id);
  Q11_ASSIGN_OR_RETURN(bool found, st->Step());
  if (!found) return NotFound("no report " + id + " on this device / không có phản ánh " + id);
  std::string status = st->Text(0);
  std::optional<std::string> owner = st->OptText(1);
  // A report filed before login carries no reporter_ref yet: the server stamps it.
  if (owner && author.reporter_ref && *owner != *author.reporter_ref)
    return PermissionDenied(std::string("you may only ") + what_en +
                            " your own reports / bạn chỉ được " + what_vi + " phản ánh của mình");
  if (status != "new")
    return FailedPrecondition("report " + id + " is already being handled (status " + status +
                              "): you can no longer " + what_en + " it / phản ánh đã được tiếp " +
                              "nhận, không thể " + what_vi + " nữa");
  return Status::Ok();
}

Status ReportWrites::UpdateReport(const char* sql, const std::string& value, const std::string& now,
                                  const std::string& id) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get(sql));
  return st->Bind(1, value).Bind(2, now).Bind(3, id).Run();
}

CaseEvent ReportWrites::NewEvent(const std::string& report_id, const char* kind,
                                 const Author& author, const std::string& now) {
  CaseEvent e;
  e.id = NewId(*env_);
  e.report_id = report_id;
  e.kind = kind;
  e.author_ref = author.ref.value_or("");
  e.author_role = author.role.value_or("");
  e.created_at = now;
  return e;
}

Status ReportWrites::AssignUnit(const std::string& report_id, const std::string& unit_id,
                                const std::string& note, const Author& author) {
  Q11_RETURN_IF_ERROR(RequireStaff(author, "assign a unit", "giao đơn vị xử lý"));
  Q11_ASSIGN_OR_RETURN(bool unit, Exists("SELECT 1 FROM units WHERE id = ?", unit_id));
  if (!unit)
    return InvalidArgument("unknown unit \"" + unit_id +
                           "\" (see q11 ref list) / không có đơn vị này");
  // A retired unit (docs/units.md) is no longer offered; its successor took its cases.
  Q11_ASSIGN_OR_RETURN(bool retired,
                       Exists("SELECT 1 FROM units WHERE id = ? AND kind = 'retired'", unit_id));
  if (retired)
    return InvalidArgument("unit \"" + unit_id +
                           "\" is retired (see q11 ref list) / đơn vị này đã ngừng hoạt động");
  if (note.size() > kMaxTextBytes) return InvalidArgument("the note is too long / ghi chú quá dài");
  Q11_RETURN_IF_ERROR(RequireReport(report_id));
  std::string now = FormatUtc(env_->NowMs());
  Q11_RETURN_IF_ERROR(
      UpdateReport("UPDATE reports SET assigned_unit = ?, updated_at = ? WHERE id = ?", unit_id,
                   now, report_id));
  // Assigning an accepted (or reopened) case moves it on to `assigned` (docs/workflow.md);
  // from other statuses only the unit changes.
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("UPDATE reports SET status = 'assigned' WHERE id = ? "
                                            "AND status IN ('accepted', 'reopened')"));
  Q11_RETURN_IF_ERROR(st->Bind(1, report_id).Run());
  CaseEvent e = NewEvent(report_id, "assignment", author, now);
  e.unit_id = unit_id;
  e.note = note;
  return InsertEvent(e);
}

Status ReportWrites::SetDeadline(const std::string& report_id, const std::string& due_iso,
                                 const std::string& note, const Author& author) {
  Q11_RETURN_IF_ERROR(RequireStaff(author, "set a deadline", "đặt hạn xử lý"));
  std::optional<int64_t> due_ms = vntime::ParseTypedTime(due_iso);
  if (!due_ms)
    return InvalidArgument("the deadline \"" + due_iso + "\" is not " + vntime::kTypedTimeHelp +
                           " / hạn xử lý không hợp lệ");
  // A deadline already gone would make the case overdue the moment it reaches the server:
  // almost always a typo (a wrong year, UTC taken for Vietnam time), so it is refused here.
  if (*due_ms <= env_->NowMs())
    return InvalidArgument("the deadline " + vntime::FormatForPeople(*due_ms) +
                           " is in the past / hạn xử lý " + vntime::FormatForPeople(*due_ms) +
                           " đã qua");
  if (note.size() > kMaxTextBytes) return InvalidArgument("the note is too long / ghi chú quá dài");
  Q11_RETURN_IF_ERROR(RequireReport(report_id));
  std::string due = FormatUtc(*due_ms);  // one spelling, so equal deadlines compare equal
  std::string now = FormatUtc(env_->NowMs());
  Q11_RETURN_IF_ERROR(UpdateReport("UPDATE reports SET due_at = ?, updated_at = ? WHERE id = ?",
                                   due, now, report_id));
  // There is no event kind for deadlines, and the server takes status|comment|assignment|
  // result only: the history records it as a comment.
  CaseEvent e = NewEvent(report_id, "comment", author, now);
  // People read the note: Vietnam time, labelled (the column keeps UTC).
  e.note = "Hạn xử lý mới / new deadline: " + vntime::FormatForPeople(*due_ms) +
           (Blank(note) ? "" : " — " + note);
  return InsertEvent(e);
}

Status ReportWrites::Withdraw(const std::string& report_id, const Author& author) {
  Q11_RETURN_IF_ERROR(RequireOwnNewReport(report_id, author, "withdraw", "rút"));
  // Only the report row: events are append-only, and the server decides what becomes of
  // them (its pull brings the outcome).
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("DELETE FROM reports WHERE id = ?"));
  return st->Bind(1, report_id).Run();
}

Status ReportWrites::Edit(const std::string& report_id, const std::optional<std::string>& title,
                          const std::optional<std::string>& description, const Author& author) {
  if (!title && !description)
    return InvalidArgument("give a new title and/or description / hãy nhập tiêu đề hoặc nội dung");
  if (title && Blank(*title)) return InvalidArgument("the title is empty / tiêu đề trống");
  if (title && title->size() > kMaxTitleBytes)
    return InvalidArgument("the title is longer than " + std::to_string(kMaxTitleBytes) + " bytes");
  if (description && description->size() > kMaxTextBytes)
    return InvalidArgument("the description is longer than " + std::to_string(kMaxTextBytes) +
                           " bytes");
  Q11_RETURN_IF_ERROR(RequireOwnNewReport(report_id, author, "edit", "sửa"));
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("UPDATE reports SET title = coalesce(?, title), "
                                            "description = coalesce(?, description), "
                                            "updated_at = ? WHERE id = ?"));
  st->Bind(1, title).Bind(2, description).Bind(3, FormatUtc(env_->NowMs())).Bind(4, report_id);
  return st->Run();
}

Status ReportWrites::InsertEvent(const CaseEvent& e) {
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("INSERT INTO case_events(id, report_id, kind, status, "
                                   "note, unit_id, author_ref, author_role, created_at, stars) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  // Empty optional text is stored as NULL, as the server stores absent values.
  st->Bind(1, e.id).Bind(2, e.report_id).Bind(3, e.kind).Bind(4, NonEmpty(e.status));
  st->Bind(5, NonEmpty(e.note)).Bind(6, NonEmpty(e.unit_id)).Bind(7, NonEmpty(e.author_ref));
  st->Bind(8, NonEmpty(e.author_role)).Bind(9, e.created_at);
  if (e.stars > 0)
    st->Bind(10, static_cast<int64_t>(e.stars));
  else
    st->BindNull(10);
  return st->Run();
}

}  // namespace q11::device
