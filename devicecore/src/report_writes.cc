#include "report_writes.h"

#include <cmath>

#include "device_schema.h"
#include "protocol/ids.h"
#include "protocol/schema.h"
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

Author AuthorFrom(const Result<Account>& account) {
  Author a;
  if (!account.ok()) return a;
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
                  "created_at, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', NULL, NULL, ?, ?, ?)"));
  st->Bind(1, id).Bind(2, r.kind).Bind(3, r.category_id).Bind(4, r.ward_id).Bind(5, r.title);
  st->Bind(6, r.description).Bind(7, r.lat).Bind(8, r.lon).Bind(9, r.address);
  st->Bind(10, author.reporter_ref).Bind(11, created).Bind(12, created);
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
                           "\": one of new, accepted, in_progress, resolved, rejected, closed");
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

Status ReportWrites::InsertEvent(const CaseEvent& e) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("INSERT INTO case_events(id, report_id, kind, status, "
                                            "note, unit_id, author_ref, author_role, created_at) "
                                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  // Empty optional text is stored as NULL, as the server stores absent values.
  st->Bind(1, e.id).Bind(2, e.report_id).Bind(3, e.kind).Bind(4, NonEmpty(e.status));
  st->Bind(5, NonEmpty(e.note)).Bind(6, NonEmpty(e.unit_id)).Bind(7, NonEmpty(e.author_ref));
  st->Bind(8, NonEmpty(e.author_role)).Bind(9, e.created_at);
  return st->Run();
}

}  // namespace q11::device
