#include "sync/push/change_validator.h"

#include <algorithm>
#include <map>
#include <set>

#include "protocol/ids.h"
#include "protocol/photo_limits.h"
#include "protocol/schema.h"
#include "protocol/utf8.h"
#include "protocol/workflow.h"
#include "sync/access_scope.h"
#include "sync/workflow.h"
#include "units/reference_set.h"

namespace q11::server {
namespace {

constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxDescriptionBytes = 5000;
constexpr size_t kMaxNoteBytes = 5000;
constexpr size_t kMaxAddressBytes = 500;

// Column positions of the tables the rules look into, resolved once per changeset.
struct ReportColumns {
  explicit ReportColumns(const TableShape& s)
      : id(s.Index("id")),
        kind(s.Index("kind")),
        category_id(s.Index("category_id")),
        ward_id(s.Index("ward_id")),
        title(s.Index("title")),
        description(s.Index("description")),
        lat(s.Index("lat")),
        lon(s.Index("lon")),
        address(s.Index("address")),
        status(s.Index("status")),
        assigned_unit(s.Index("assigned_unit")),
        due_at(s.Index("due_at")),
        reporter_ref(s.Index("reporter_ref")),
        created_at(s.Index("created_at")),
        updated_at(s.Index("updated_at")),
        receipt_code(s.Index("receipt_code")),
        expected_at(s.Index("expected_at")),
        resolved_at(s.Index("resolved_at")),
        duplicate_of(s.Index("duplicate_of")) {}
  int id, kind, category_id, ward_id, title, description, lat, lon, address, status, assigned_unit,
      due_at, reporter_ref, created_at, updated_at, receipt_code, expected_at, resolved_at,
      duplicate_of;
};

struct EventColumns {
  explicit EventColumns(const TableShape& s)
      : id(s.Index("id")),
        report_id(s.Index("report_id")),
        kind(s.Index("kind")),
        status(s.Index("status")),
        note(s.Index("note")),
        unit_id(s.Index("unit_id")),
        created_at(s.Index("created_at")),
        stars(s.Index("stars")) {}
  int id, report_id, kind, status, note, unit_id, created_at, stars;
};

struct PhotoColumns {
  explicit PhotoColumns(const TableShape& s)
      : id(s.Index("id")),
        report_id(s.Index("report_id")),
        role(s.Index("role")),
        sha256(s.Index("sha256")),
        mime(s.Index("mime")),
        bytes(s.Index("bytes")),
        width(s.Index("width")),
        height(s.Index("height")),
        created_at(s.Index("created_at")) {}
  int id, report_id, role, sha256, mime, bytes, width, height, created_at;
};

bool TextLen(const Value& v, size_t min, size_t max) {
  return v.is_text() && v.s.size() >= min && v.s.size() <= max;
}

bool NullOrEmpty(const Value& v) { return v.is_null() || (v.is_text() && v.s.empty()); }

// Text with something other than blanks in it.
bool HasText(const Value& v) {
  return v.is_text() && v.s.find_first_not_of(" \t\r\n") != std::string::npos;
}

// The case's current deadline: the expected completion date officials announced, else the
// handling deadline. nullopt when neither is set.
std::optional<int64_t> CurrentDeadline(const ReportFacts& f) {
  if (!f.expected_at.empty()) return ParseUtc(f.expected_at);
  if (!f.due_at.empty()) return ParseUtc(f.due_at);
  return std::nullopt;
}

// Overdue (docs/workflow.md): still open and past its current deadline.
bool Overdue(const ReportFacts& f, int64_t now_ms) {
  std::optional<int64_t> deadline = CurrentDeadline(f);
  return workflow::IsOpen(f.status) && deadline && now_ms > *deadline;
}

// What the case events of one changeset say about one report.
struct EventsFor {
  bool progress_note = false;  // a progress event with a note
  bool reopen_reason = false;  // a status event 'reopened' with a note (the citizen's reason)
};

bool IsTimestamp(const Value& v) {
  return v.is_text() && v.s.size() <= 40 && ParseUtc(v.s).has_value();
}

bool InRange(const Value& v, double lo, double hi) {
  if (v.is_null()) return true;
  double d;
  if (v.type == Value::Type::kInteger)
    d = static_cast<double>(v.i);
  else if (v.type == Value::Type::kReal)
    d = v.r;
  else
    return false;
  return d >= lo && d <= hi;
}

class Checker {
 public:
  Checker(const TableShape& shape, const RowChange& row, const Value& pk)
      : shape_(shape), row_(row), pk_(pk) {}

  // "reports row 0195… column status: <what>"
  Status Bad(int col, std::string_view what, std::string_view vi,
             StatusCode code = StatusCode::kInvalidArgument) const {
    std::string en = shape_.name + " row " + pk_.Describe();
    if (col >= 0) en += " column " + shape_.columns[col];
    en += ": ";
    en += what;
    return Refusal(code, en, vi);
  }
  Status Denied(int col, std::string_view what, std::string_view vi) const {
    return Bad(col, what, vi, StatusCode::kPermissionDenied);
  }
  const Value& New(int col) const { return row_.new_values[col]; }

 private:
  const TableShape& shape_;
  const RowChange& row_;
  const Value& pk_;
};

class Validator {
 public:
  Validator(const DecodedChangeset& cs, const ValidationContext& ctx)
      : cs_(cs), ctx_(ctx), account_(*ctx.account) {}

  Status Run() {
    for (const TableChanges& t : cs_.tables) Q11_RETURN_IF_ERROR(CheckShape(t));
    CollectNewReports();
    CollectDeletedReports();
    CollectCaseLife();
    for (const TableChanges& t : cs_.tables) {
      const TableShape& shape = *ctx_.shapes->Find(t.table);
      for (const RowChange& row : t.rows) Q11_RETURN_IF_ERROR(CheckRow(shape, row));
    }
    return Status::Ok();
  }

 private:
  Status CheckShape(const TableChanges& t) {
    // Known table, column count and key layout: the check devices run on their pulls.
    if (std::optional<sql::ShapeError> e = ctx_.shapes->layouts().Check({t.table, t.pk}))
      return Refusal(StatusCode::kInvalidArgument, e->English(sql::kServerSide),
                     e->Vietnamese(sql::kServerSide));
    if (std::find(std::begin(kReferenceTables), std::end(kReferenceTables), t.table) !=
        std::end(kReferenceTables))
      return Refusal(StatusCode::kPermissionDenied,
                     "table " + t.table + " is reference data; devices may not change it",
                     "bảng " + t.table + " là dữ liệu danh mục, thiết bị không được sửa");
    return Status::Ok();
  }

  // Reports inserted by this same changeset: a citizen's first comment may travel with
  // its report, in any order.
  void CollectNewReports() {
    for (const TableChanges& t : cs_.tables) {
      if (t.table != "reports") continue;
      ReportColumns c(*ctx_.shapes->Find("reports"));
      for (const RowChange& row : t.rows) {
        if (row.op != SQLITE_INSERT || !row.new_values[c.id].is_text()) continue;
        ReportFacts f;
        f.ward_id = std::string(row.new_values[c.ward_id].text());
        f.assigned_unit = std::string(row.new_values[c.assigned_unit].text());
        // The server stamps the citizen's own pseudonym on every report they file.
        f.reporter_ref = account_.reporter_ref;
        f.status = "new";
        new_reports_.emplace(row.new_values[c.id].s, std::move(f));
      }
    }
  }

  // Reports deleted by this same changeset: their events may be deleted with them.
  void CollectDeletedReports() {
    for (const TableChanges& t : cs_.tables) {
      if (t.table != "reports") continue;
      ReportColumns c(*ctx_.shapes->Find("reports"));
      for (const RowChange& row : t.rows)
        if (row.op == SQLITE_DELETE && row.old_values[c.id].is_text())
          deleted_reports_.insert(row.old_values[c.id].s);
    }
  }

  // The progress notes and reopening reasons that travel in this changeset, and the reports
  // it reopens: the rules of one row look at the others (docs/workflow.md).
  void CollectCaseLife() {
    for (const TableChanges& t : cs_.tables) {
      if (t.table == "case_events") {
        EventColumns c(*ctx_.shapes->Find("case_events"));
        for (const RowChange& row : t.rows) {
          if (row.op != SQLITE_INSERT) continue;
          std::string_view kind = row.new_values[c.kind].text();
          EventsFor& e = events_[std::string(row.new_values[c.report_id].text())];
          if (kind == "progress" && HasText(row.new_values[c.note])) e.progress_note = true;
          if (kind == "status" && row.new_values[c.status].text() == "reopened" &&
              HasText(row.new_values[c.note]))
            e.reopen_reason = true;
        }
      } else if (t.table == "reports") {
        ReportColumns c(*ctx_.shapes->Find("reports"));
        for (const RowChange& row : t.rows)
          if (row.op == SQLITE_UPDATE && row.new_values[c.status].text() == "reopened")
            reopened_.insert(std::string(row.old_values[c.id].text()));
      }
    }
  }

  const EventsFor& EventsOf(std::string_view report_id) const {
    static const EventsFor kNone;
    auto it = events_.find(report_id);
    return it == events_.end() ? kNone : it->second;
  }

  Result<std::optional<ReportFacts>> FindReport(std::string_view id) {
    auto it = new_reports_.find(id);
    if (it != new_reports_.end()) return std::optional<ReportFacts>(it->second);
    return ctx_.find_report(id);
  }

  Status CheckRow(const TableShape& shape, const RowChange& row) {
    const Value& pk =
        row.op == SQLITE_INSERT ? row.new_values[shape.pk_column] : row.old_values[shape.pk_column];
    Checker ck(shape, row, pk);
    if (!TextLen(pk, 1, kMaxIdBytes))
      return ck.Bad(shape.pk_column, "the primary key must be text of 1-64 bytes",
                    "khóa chính phải là chuỗi 1-64 byte");
    if (!utf8::IsValid(pk.text()))
      return ck.Bad(shape.pk_column, "must be valid UTF-8 text", "phải là văn bản UTF-8 hợp lệ");
    if (row.op == SQLITE_DELETE) {
      if (shape.name == "reports") return CheckReportDelete(pk, ck);
      if (shape.name == "case_events") return CheckEventDelete(shape, row, ck);
      if (shape.name == "photos") return CheckPhotoDelete(shape, row, ck);
      return ck.Denied(-1, "rows of this table may not be deleted from a device",
                       "thiết bị không được xóa dữ liệu của bảng này");
    }
    if (row.op == SQLITE_UPDATE && row.new_values[shape.pk_column].defined())
      return ck.Denied(shape.pk_column, "the primary key may not change",
                       "không được đổi khóa chính");
    // Stored text reaches every device, page and feed: it must be UTF-8, without NUL
    // bytes (C strings end there, and PostgreSQL's text cannot hold one).
    for (size_t i = 0; i < row.new_values.size(); ++i) {
      if (!row.new_values[i].is_text()) continue;
      if (!utf8::IsValid(row.new_values[i].s))
        return ck.Bad(static_cast<int>(i), "must be valid UTF-8 text",
                      "phải là văn bản UTF-8 hợp lệ");
      if (row.new_values[i].s.find('\0') != std::string::npos)
        return ck.Bad(static_cast<int>(i), "must be text without NUL bytes",
                      "không được chứa ký tự NUL");
    }
    // A real changeset carries the previous value of every column it changes; one without
    // is forged, and the three-way merge would read its missing base as a conflict.
    if (row.op == SQLITE_UPDATE)
      for (size_t i = 0; i < row.new_values.size(); ++i)
        if (row.new_values[i].defined() && !row.old_values[i].defined())
          return ck.Bad(static_cast<int>(i),
                        "an update must carry the column's previous value (a changeset, not a "
                        "patchset)",
                        "thay đổi phải kèm giá trị trước đó của cột");
    if (shape.name == "reports")
      return row.op == SQLITE_INSERT ? CheckReportInsert(shape, ck)
                                     : CheckReportUpdate(shape, row, ck, pk);
    if (shape.name == "case_events") return CheckEvent(shape, row, ck);
    if (shape.name == "photos") return CheckPhoto(shape, row, ck);
    return ck.Denied(-1, "this table may not be written from a device",
                     "thiết bị không được ghi bảng này");
  }

  Status CheckReportInsert(const TableShape& shape, const Checker& ck) {
    ReportColumns c(shape);
    if (account_.role != Role::kCitizen)
      return ck.Denied(-1, "only citizens file reports; staff update them",
                       "chỉ người dân gửi phản ánh; cán bộ chỉ cập nhật");
    if (!schema::OneOf(schema::kReportKinds, ck.New(c.kind).text()))
      return ck.Bad(c.kind, "must be phan_anh or gop_y", "loại phải là phan_anh hoặc gop_y");
    if (!ctx_.refs->DeadlineHours(ck.New(c.category_id).text()))
      return ck.Bad(c.category_id, "unknown category " + ck.New(c.category_id).Describe(),
                    "lĩnh vực không tồn tại");
    if (!ctx_.refs->AcceptsReports(ck.New(c.ward_id).text()))
      return ck.Bad(c.ward_id, "not a ward of Quận 11: " + ck.New(c.ward_id).Describe(),
                    "phường không tồn tại");
    if (!TextLen(ck.New(c.title), 1, kMaxTitleBytes))
      return ck.Bad(c.title, "must be text of 1-200 bytes", "tiêu đề phải dài 1-200 byte");
    if (!TextLen(ck.New(c.description), 1, kMaxDescriptionBytes))
      return ck.Bad(c.description, "must be text of 1-5000 bytes", "nội dung phải dài 1-5000 byte");
    if (!InRange(ck.New(c.lat), -90, 90))
      return ck.Bad(c.lat, "must be NULL or a latitude", "vĩ độ không hợp lệ");
    if (!InRange(ck.New(c.lon), -180, 180))
      return ck.Bad(c.lon, "must be NULL or a longitude", "kinh độ không hợp lệ");
    if (!ck.New(c.address).is_null() && !TextLen(ck.New(c.address), 0, kMaxAddressBytes))
      return ck.Bad(c.address, "must be NULL or text of at most 500 bytes", "địa chỉ quá dài");
    if (ck.New(c.status).text() != "new")
      return ck.Denied(c.status, "a new report must have status 'new'",
                       "phản ánh mới phải có trạng thái 'new'");
    if (!ck.New(c.assigned_unit).is_null())
      return ck.Denied(c.assigned_unit, "citizens may not assign a unit",
                       "người dân không được giao đơn vị xử lý");
    const Value& ref = ck.New(c.reporter_ref);
    if (!NullOrEmpty(ref) && ref.text() != account_.reporter_ref)
      return ck.Denied(c.reporter_ref, "reports may only carry your own reporter reference",
                       "không được dùng mã người phản ánh của người khác");
    if (!IsTimestamp(ck.New(c.created_at)))
      return ck.Bad(c.created_at, "must be an ISO-8601 UTC time", "thời gian không hợp lệ");
    if (!IsTimestamp(ck.New(c.updated_at)))
      return ck.Bad(c.updated_at, "must be an ISO-8601 UTC time", "thời gian không hợp lệ");
    // The receipt code is the device's proposal: a malformed or taken one is replaced by the
    // server (server_stamps.h), so only its size is checked here.
    const Value& receipt = ck.New(c.receipt_code);
    if (!receipt.is_null() && !TextLen(receipt, 0, kMaxIdBytes))
      return ck.Bad(c.receipt_code, "must be NULL or a short receipt code",
                    "mã biên nhận không hợp lệ");
    for (int col : {c.expected_at, c.resolved_at, c.duplicate_of})
      if (!ck.New(col).is_null())
        return ck.Denied(col, "is set by officials or the server, not by the citizen",
                         "do cán bộ hoặc máy chủ đặt, người dân không được đặt");
    return Status::Ok();
  }

  Status CheckReportUpdate(const TableShape& shape, const RowChange& row, const Checker& ck,
                           const Value& pk) {
    ReportColumns c(shape);
    if (account_.role == Role::kCitizen) return CheckCitizenEdit(row, ck, pk);
    for (size_t i = 0; i < row.new_values.size(); ++i) {
      int col = static_cast<int>(i);
      if (!row.new_values[i].defined()) continue;
      if (col != c.status && col != c.assigned_unit && col != c.due_at && col != c.updated_at &&
          col != c.expected_at && col != c.duplicate_of)
        return ck.Denied(col,
                         "may not be changed; staff change only status, assigned_unit, due_at, "
                         "expected_at, duplicate_of, updated_at",
                         "cán bộ chỉ được đổi trạng thái, đơn vị, hạn xử lý, ngày dự kiến hoàn "
                         "thành, phản ánh trùng");
    }
    const Value& status = ck.New(c.status);
    if (status.defined() && !schema::OneOf(schema::kStatuses, status.text()))
      return ck.Bad(c.status, "unknown status " + status.Describe(), "trạng thái không hợp lệ");
    // The workflow (workflow.h) judges the device's own step, from its base to its value.
    const Value& base_status = row.old_values[c.status];
    if (status.defined() && base_status.defined()) {
      std::string from(base_status.text()), to(status.text());
      if (!TransitionAllowed(account_.role, from, to))
        return ck.Denied(
            c.status,
            "may not change from " + from + " to " + to + " for role " +
                std::string(RoleName(account_.role)) +
                " (allowed: " + AllowedNext(account_.role, from) + ")",
            "không được chuyển trạng thái từ " + from + " sang " + to + " (sai quy trình xử lý)");
    }
    const Value& unit = ck.New(c.assigned_unit);
    if (unit.defined() && !unit.is_null() && !ctx_.refs->Assignable(unit.text()))
      return ck.Bad(c.assigned_unit, "unknown unit " + unit.Describe(), "đơn vị không tồn tại");
    const Value& due = ck.New(c.due_at);
    if (due.defined() && !due.is_null() && !IsTimestamp(due))
      return ck.Bad(c.due_at, "must be NULL or an ISO-8601 UTC time", "hạn xử lý không hợp lệ");
    const Value& updated = ck.New(c.updated_at);
    if (updated.defined() && !IsTimestamp(updated))
      return ck.Bad(c.updated_at, "must be an ISO-8601 UTC time", "thời gian không hợp lệ");
    const Value& expected = ck.New(c.expected_at);
    if (expected.defined() && !expected.is_null() && !IsTimestamp(expected))
      return ck.Bad(c.expected_at, "must be NULL or an ISO-8601 UTC time",
                    "ngày dự kiến hoàn thành không hợp lệ");
    const Value& dup = ck.New(c.duplicate_of);
    if (dup.defined() && !dup.is_null()) {
      if (!TextLen(dup, 1, kMaxIdBytes) || dup.text() == pk.text())
        return ck.Bad(c.duplicate_of, "must name another report", "phải là một phản ánh khác");
      Result<std::optional<ReportFacts>> other = FindReport(dup.text());
      if (!other.ok()) return other.status();
      if (!other->has_value() || (*other)->deleted)
        return ck.Bad(c.duplicate_of, "no such report " + dup.Describe(),
                      "không tìm thấy phản ánh trùng");
    }

    Result<std::optional<ReportFacts>> facts = FindReport(pk.text());
    if (!facts.ok()) return facts.status();
    if (!facts->has_value()) return ck.Bad(-1, "row not found", "không tìm thấy phản ánh");
    const ReportFacts& f = **facts;  // a deleted report's last values: the merge parks it
    if (!HandlesReport(account_, f.ward_id, f.assigned_unit))
      return ck.Denied(-1, "outside your unit " + account_.unit + " (ward " + f.ward_id + ")",
                       "phản ánh không thuộc đơn vị của bạn");
    return CheckCaseLife(ck, pk, f);
  }

  // The workflow's extra conditions on staff's changes (docs/workflow.md).
  Status CheckCaseLife(const Checker& ck, const Value& pk, const ReportFacts& f) {
    ReportColumns c(*ctx_.shapes->Find("reports"));
    const Value& status = ck.New(c.status);
    const Value& expected = ck.New(c.expected_at);
    const Value& dup = ck.New(c.duplicate_of);
    if (status.text() == "duplicate" && (dup.defined() ? dup.is_null() : f.duplicate_of.empty()))
      return ck.Bad(c.duplicate_of, "a duplicate must name the report it duplicates",
                    "phải ghi rõ phản ánh bị trùng");
    // Judged against the server's row, never the previous values the device claims: a
    // forged base must not hide a change from these rules.
    const Value server_expected =
        f.expected_at.empty() ? Value::Null() : Value::Text(f.expected_at);
    const bool expected_changed = expected.defined() && !SameValue(expected, server_expected);
    if (expected_changed && !expected.is_null() && !EventsOf(pk.text()).progress_note)
      return ck.Bad(c.expected_at,
                    "a new expected completion date needs a progress note (a case event of "
                    "kind progress with a note) in the same change",
                    "ngày dự kiến hoàn thành mới phải kèm báo cáo tiến độ");
    const bool status_changes = status.defined() && status.text() != f.status;
    if (status_changes && !workflow::Finishes(status.text()) && Overdue(f, ctx_.now_ms)) {
      std::optional<int64_t> new_date =
          expected_changed && expected.is_text() ? ParseUtc(expected.text()) : std::nullopt;
      if (!new_date || *new_date <= ctx_.now_ms)
        return ck.Denied(c.status,
                         "the case is overdue (deadline " +
                             FormatUtc(CurrentDeadline(f).value_or(0)) +
                             "): post a progress note with a new expected completion date in "
                             "the future (q11 case progress) with or before this change",
                         "phản ánh đã quá hạn: phải báo cáo tiến độ kèm ngày dự kiến hoàn thành "
                         "mới trước khi đổi trạng thái");
    }
    return Status::Ok();
  }

  // A citizen corrects the title or description of their own report. Whether it still may
  // (nobody handles it yet) is the merge's call: a late edit is parked, not lost.
  Status CheckCitizenEdit(const RowChange& row, const Checker& ck, const Value& pk) {
    ReportColumns c(*ctx_.shapes->Find("reports"));
    for (size_t i = 0; i < row.new_values.size(); ++i) {
      int col = static_cast<int>(i);
      if (!row.new_values[i].defined()) continue;
      if (col != c.title && col != c.description && col != c.updated_at && col != c.status)
        return ck.Denied(col,
                         "citizens may change only the title and description of their report, "
                         "or reopen it",
                         "người dân chỉ được sửa tiêu đề và nội dung phản ánh của mình, hoặc yêu "
                         "cầu xử lý lại");
    }
    if (ck.New(c.status).defined()) Q11_RETURN_IF_ERROR(CheckReopen(row, ck, pk));
    const Value& title = ck.New(c.title);
    if (title.defined() && !TextLen(title, 1, kMaxTitleBytes))
      return ck.Bad(c.title, "must be text of 1-200 bytes", "tiêu đề phải dài 1-200 byte");
    const Value& description = ck.New(c.description);
    if (description.defined() && !TextLen(description, 1, kMaxDescriptionBytes))
      return ck.Bad(c.description, "must be text of 1-5000 bytes", "nội dung phải dài 1-5000 byte");
    const Value& updated = ck.New(c.updated_at);
    if (updated.defined() && !IsTimestamp(updated))
      return ck.Bad(c.updated_at, "must be an ISO-8601 UTC time", "thời gian không hợp lệ");
    return CheckOwnReport(pk, ck);
  }

  // A citizen unsatisfied with the result reopens their own case: resolved (or closed) →
  // reopened, within the reopen period after the server recorded it resolved, with a reason.
  Status CheckReopen(const RowChange& row, const Checker& ck, const Value& pk) {
    ReportColumns c(*ctx_.shapes->Find("reports"));
    std::string from(row.old_values[c.status].text()), to(ck.New(c.status).text());
    if (!workflow::TransitionAllowed("citizen", from, to))
      return ck.Denied(
          c.status,
          "citizens may only reopen a resolved or closed report (not " + from + " to " + to + ")",
          "người dân chỉ được yêu cầu xử lý lại phản ánh đã có kết quả");
    Q11_RETURN_IF_ERROR(CheckOwnReport(pk, ck));
    Result<std::optional<ReportFacts>> facts = FindReport(pk.text());
    if (!facts.ok()) return facts.status();
    const ReportFacts& f = **facts;  // CheckOwnReport found it
    std::optional<int64_t> resolved = ParseUtc(f.resolved_at);
    if (!resolved)
      return ck.Denied(c.status, "the report has no recorded result to reopen",
                       "phản ánh chưa có kết quả để yêu cầu xử lý lại");
    if (ctx_.now_ms > *resolved + workflow::kReopenPeriodMs)
      return ck.Denied(c.status,
                       "the reopen period of " + std::to_string(workflow::kReopenPeriodDays) +
                           " days after the result (" + f.resolved_at + ") has passed",
                       "đã quá " + std::to_string(workflow::kReopenPeriodDays) +
                           " ngày kể từ khi có kết quả, không thể yêu cầu xử lý lại");
    if (!EventsOf(pk.text()).reopen_reason)
      return ck.Bad(c.status,
                    "a reopening needs the reason (a status event 'reopened' with a note) in "
                    "the same change",
                    "yêu cầu xử lý lại phải nêu lý do");
    return Status::Ok();
  }

  // The withdrawal of a report: only by the citizen who filed it.
  Status CheckReportDelete(const Value& pk, const Checker& ck) {
    if (account_.role != Role::kCitizen)
      return ck.Denied(-1, "reports are not deleted by staff; reject or close them instead",
                       "cán bộ không xóa phản ánh; hãy từ chối hoặc đóng phản ánh");
    return CheckOwnReport(pk, ck);
  }

  Status CheckOwnReport(const Value& pk, const Checker& ck) {
    Result<std::optional<ReportFacts>> facts = FindReport(pk.text());
    if (!facts.ok()) return facts.status();
    if (!facts->has_value()) return ck.Bad(-1, "row not found", "không tìm thấy phản ánh");
    if ((*facts)->reporter_ref != account_.reporter_ref)
      return ck.Denied(-1, "citizens may change or withdraw only their own reports",
                       "người dân chỉ được sửa hoặc rút phản ánh của mình");
    return Status::Ok();
  }

  // Events and photos are append-only: removed only with their report, when its citizen
  // withdraws it in the same changeset.
  Status CheckChildDelete(std::string_view report_id, const Checker& ck, std::string_view en,
                          std::string_view vi) {
    if (account_.role != Role::kCitizen || !deleted_reports_.count(std::string(report_id)))
      return ck.Denied(-1, en, vi);
    return Status::Ok();
  }

  Status CheckEventDelete(const TableShape& shape, const RowChange& row, const Checker& ck) {
    return CheckChildDelete(
        row.old_values[EventColumns(shape).report_id].text(), ck,
        "case events are append-only; they are removed only with their report when its citizen "
        "withdraws it",
        "lịch sử xử lý chỉ được thêm; chỉ bị xóa cùng phản ánh khi người dân rút");
  }

  Status CheckEvent(const TableShape& shape, const RowChange& row, const Checker& ck) {
    EventColumns c(shape);
    if (row.op != SQLITE_INSERT)
      return ck.Denied(FirstChanged(row), "case events are append-only",
                       "lịch sử xử lý chỉ được thêm, không được sửa");
    std::string_view kind = ck.New(c.kind).text();
    if (!schema::OneOf(schema::kEventKinds, kind))
      return ck.Bad(c.kind, "unknown event kind " + ck.New(c.kind).Describe(),
                    "loại sự kiện không hợp lệ");
    if (!TextLen(ck.New(c.report_id), 1, kMaxIdBytes))
      return ck.Bad(c.report_id, "must name a report", "phải thuộc một phản ánh");
    const Value& note = ck.New(c.note);
    if (!note.is_null() && !TextLen(note, 0, kMaxNoteBytes))
      return ck.Bad(c.note, "must be NULL or text of at most 5000 bytes", "ghi chú quá dài");
    if (!IsTimestamp(ck.New(c.created_at)))
      return ck.Bad(c.created_at, "must be an ISO-8601 UTC time", "thời gian không hợp lệ");
    const Value& status = ck.New(c.status);
    if (kind == "status" ? !schema::OneOf(schema::kStatuses, status.text())
                         : !(status.is_null() || schema::OneOf(schema::kStatuses, status.text())))
      return ck.Bad(c.status, "must be a valid status", "trạng thái không hợp lệ");
    const Value& stars = ck.New(c.stars);
    if (kind == "rating" ? !(stars.type == Value::Type::kInteger &&
                             stars.i >= workflow::kMinStars && stars.i <= workflow::kMaxStars)
                         : !stars.is_null())
      return ck.Bad(c.stars, "must be 1-5 for a rating, NULL otherwise",
                    "số sao phải từ 1 đến 5 khi đánh giá");
    if (kind == "progress" && !HasText(note))
      return ck.Bad(c.note, "a progress note must say something",
                    "báo cáo tiến độ phải có nội dung");
    const Value& unit = ck.New(c.unit_id);
    if (kind == "assignment" ? !ctx_.refs->Assignable(unit.text())
                             : !(unit.is_null() || ctx_.refs->Assignable(unit.text())))
      return ck.Bad(c.unit_id, "must be an existing unit", "đơn vị không tồn tại");

    Result<std::optional<ReportFacts>> facts = FindReport(ck.New(c.report_id).text());
    if (!facts.ok()) return facts.status();
    if (!facts->has_value())
      return ck.Bad(c.report_id, "no such report", "không tìm thấy phản ánh");
    const ReportFacts& f = **facts;
    if (f.deleted)
      return ck.Bad(c.report_id, "the report was withdrawn (deleted)", "phản ánh đã bị rút");
    if (account_.role == Role::kCitizen) {
      if (kind != "comment" && kind != "rating" && kind != "status")
        return ck.Denied(c.kind, "citizens may only comment, rate or reopen",
                         "người dân chỉ được bình luận, đánh giá hoặc yêu cầu xử lý lại");
      if (f.reporter_ref != account_.reporter_ref)
        return ck.Denied(c.report_id, "citizens may only comment on their own reports",
                         "người dân chỉ được bình luận phản ánh của mình");
      if (kind == "rating" && f.status != "resolved" && f.status != "closed")
        return ck.Denied(
            c.kind, "a result can be rated only once the report is resolved (now " + f.status + ")",
            "chỉ được đánh giá khi phản ánh đã có kết quả");
      if (kind == "status" && (status.text() != "reopened" ||
                               !reopened_.count(std::string(ck.New(c.report_id).text()))))
        return ck.Denied(c.status, "citizens' status events only give the reason of a reopening",
                         "người dân chỉ ghi lý do khi yêu cầu xử lý lại");
      return Status::Ok();
    }
    if (kind == "rating")
      return ck.Denied(c.kind, "only the citizen who filed the report rates its result",
                       "chỉ người gửi phản ánh được đánh giá kết quả");
    if (!HandlesReport(account_, f.ward_id, f.assigned_unit))
      return ck.Denied(c.report_id, "the report is outside your unit " + account_.unit,
                       "phản ánh không thuộc đơn vị của bạn");
    return Status::Ok();
  }

  Status CheckPhotoDelete(const TableShape& shape, const RowChange& row, const Checker& ck) {
    return CheckChildDelete(row.old_values[PhotoColumns(shape).report_id].text(), ck,
                            "photos are append-only; they are removed only with their report "
                            "when its citizen withdraws it",
                            "ảnh chỉ được thêm; chỉ bị xóa cùng phản ánh khi người dân rút");
  }

  // Photo metadata (the bytes are checked against sha256 when they arrive, photo_store.h).
  Status CheckPhoto(const TableShape& shape, const RowChange& row, const Checker& ck) {
    PhotoColumns c(shape);
    if (row.op != SQLITE_INSERT)
      return ck.Denied(FirstChanged(row), "photos are append-only",
                       "ảnh chỉ được thêm, không được sửa");
    std::string_view role = ck.New(c.role).text();
    if (!schema::OneOf(photos::kRoles, role))
      return ck.Bad(c.role, "must be report or result", "vai trò ảnh phải là report hoặc result");
    if (!photos::IsSha256Hex(ck.New(c.sha256).text()))
      return ck.Bad(c.sha256, "must be 64 lowercase hex digits (SHA-256)",
                    "mã SHA-256 của ảnh không hợp lệ");
    if (!schema::OneOf(photos::kMimeTypes, ck.New(c.mime).text()))
      return ck.Bad(c.mime, "must be image/jpeg, image/png, image/webp or image/heic",
                    "chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC");
    const Value& bytes = ck.New(c.bytes);
    if (bytes.type != Value::Type::kInteger || bytes.i < 1 || bytes.i > photos::kMaxPhotoBytes)
      return ck.Bad(
          c.bytes,
          "a photo must be 1 byte to " + std::to_string(photos::kMaxPhotoBytes / (1024 * 1024)) +
              " MiB",
          "ảnh phải nhỏ hơn " + std::to_string(photos::kMaxPhotoBytes / (1024 * 1024)) + " MiB");
    for (int col : {c.width, c.height}) {
      const Value& v = ck.New(col);
      if (!v.is_null() && (v.type != Value::Type::kInteger || v.i < 1 || v.i > 100000))
        return ck.Bad(col, "must be NULL or 1-100000 pixels", "kích thước ảnh không hợp lệ");
    }
    if (!IsTimestamp(ck.New(c.created_at)))
      return ck.Bad(c.created_at, "must be an ISO-8601 UTC time", "thời gian không hợp lệ");
    if (!TextLen(ck.New(c.report_id), 1, kMaxIdBytes))
      return ck.Bad(c.report_id, "must name a report", "phải thuộc một phản ánh");
    std::string report_id(ck.New(c.report_id).text());
    Result<std::optional<ReportFacts>> facts = FindReport(report_id);
    if (!facts.ok()) return facts.status();
    if (!facts->has_value())
      return ck.Bad(c.report_id, "no such report", "không tìm thấy phản ánh");
    const ReportFacts& f = **facts;
    if (f.deleted)
      return ck.Bad(c.report_id, "the report was withdrawn (deleted)", "phản ánh đã bị rút");
    if (account_.role == Role::kCitizen) {
      if (role != "report")
        return ck.Denied(c.role, "citizens attach report photos, not result photos",
                         "người dân chỉ đính kèm ảnh phản ánh");
      if (f.reporter_ref != account_.reporter_ref)
        return ck.Denied(c.report_id, "citizens may attach photos only to their own reports",
                         "người dân chỉ được đính kèm ảnh vào phản ánh của mình");
    } else {
      if (role != "result")
        return ck.Denied(c.role, "staff attach result photos, not report photos",
                         "cán bộ chỉ đính kèm ảnh kết quả xử lý");
      if (!HandlesReport(account_, f.ward_id, f.assigned_unit))
        return ck.Denied(c.report_id, "the report is outside your unit " + account_.unit,
                         "phản ánh không thuộc đơn vị của bạn");
    }
    // The count: what the server holds plus this changeset's photos of the same role.
    std::string key = report_id + '\n' + std::string(role);
    auto [it, first] = photo_counts_.try_emplace(key, 0);
    if (first && ctx_.count_photos) {
      Result<int64_t> held = ctx_.count_photos(report_id, role);
      if (!held.ok()) return held.status();
      it->second = *held;
    }
    if (++it->second > photos::kMaxPhotosPerReport)
      return ck.Bad(
          c.report_id,
          "at most " + std::to_string(photos::kMaxPhotosPerReport) + " " + std::string(role) +
              " photos per report",
          "mỗi phản ánh chỉ được tối đa " + std::to_string(photos::kMaxPhotosPerReport) + " ảnh");
    return Status::Ok();
  }

  static int FirstChanged(const RowChange& row) {
    for (size_t i = 0; i < row.new_values.size(); ++i)
      if (row.new_values[i].defined()) return static_cast<int>(i);
    return -1;
  }

  const DecodedChangeset& cs_;
  const ValidationContext& ctx_;
  const Account& account_;
  std::map<std::string, ReportFacts, std::less<>> new_reports_;
  std::set<std::string> deleted_reports_;
  std::map<std::string, EventsFor, std::less<>> events_;
  std::set<std::string> reopened_;
  std::map<std::string, int64_t> photo_counts_;  // "report_id\nrole" → photos so far
};

}  // namespace

Status Refusal(StatusCode code, std::string_view english, std::string_view vietnamese) {
  std::string m(english);
  m += " / ";
  m += vietnamese;
  return Status(code, std::move(m));
}

bool IsRefusal(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

Status ValidateChangeset(const DecodedChangeset& changeset, const ValidationContext& context) {
  return Validator(changeset, context).Run();
}

}  // namespace q11::server
