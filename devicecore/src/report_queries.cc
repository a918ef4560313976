#include "report_queries.h"

#include "protocol/ids.h"
#include "protocol/receipt_code.h"
#include "protocol/workflow.h"
#include "status_macros.h"

namespace q11::device {
namespace {

constexpr const char* kReportColumns =
    "id, kind, category_id, ward_id, title, description, lat, lon, address, status, "
    "assigned_unit, due_at, reporter_ref, created_at, updated_at, receipt_code, received_at, "
    "expected_at, resolved_at, duplicate_of";

Report ReadReport(const sql::Statement& st) {
  Report r;
  r.id = st.Text(0);
  r.kind = st.Text(1);
  r.category_id = st.Text(2);
  r.ward_id = st.Text(3);
  r.title = st.Text(4);
  r.description = st.Text(5);
  r.lat = st.OptDouble(6);
  r.lon = st.OptDouble(7);
  r.address = st.OptText(8);
  r.status = st.Text(9);
  r.assigned_unit = st.OptText(10);
  r.due_at = st.OptText(11);
  r.reporter_ref = st.OptText(12);
  r.created_at = st.Text(13);
  r.updated_at = st.Text(14);
  r.receipt_code = st.OptText(15);
  r.received_at = st.OptText(16);
  r.expected_at = st.OptText(17);
  r.resolved_at = st.OptText(18);
  r.duplicate_of = st.OptText(19);
  return r;
}

}  // namespace

Result<std::vector<Report>> ReportQueries::List() {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get(std::string("SELECT ") + kReportColumns +
                                            " FROM reports ORDER BY created_at DESC, id DESC"));
  std::vector<Report> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadReport(*st));
  }
  return out;
}

Result<Report> ReportQueries::Get(const std::string& id) {
  Report r;
  {
    Q11_ASSIGN_OR_RETURN(auto st, cache_->Get(std::string("SELECT ") + kReportColumns +
                                              " FROM reports WHERE id = ?"));
    st->Bind(1, id);
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return NotFound("no report " + id + " on this device / không có phản ánh " + id);
    r = ReadReport(*st);
  }
  Q11_ASSIGN_OR_RETURN(auto ev, cache_->Get("SELECT id, report_id, kind, status, note, unit_id, "
                                            "author_ref, author_role, created_at, "
                                            "ifnull(stars, 0) FROM case_events "
                                            "WHERE report_id = ? ORDER BY created_at, id"));
  ev->Bind(1, id);
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, ev->Step());
    if (!row) break;
    r.events.push_back({ev->Text(0), ev->Text(1), ev->Text(2), ev->Text(3), ev->Text(4),
                        ev->Text(5), ev->Text(6), ev->Text(7), ev->Text(8),
                        static_cast<int>(ev->Int(9))});
  }
  return r;
}

Result<std::vector<Unit>> ReportQueries::Units() {
  // The district first, then its wards, then departments.
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("SELECT id, parent_id, kind, name_vi, name_en FROM units "
                                   "ORDER BY CASE kind WHEN 'district' THEN 0 "
                                   "WHEN 'ward' THEN 1 ELSE 2 END, id"));
  std::vector<Unit> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Text(3), st->Text(4)});
  }
  return out;
}

Result<std::vector<Category>> ReportQueries::Categories() {
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("SELECT id, name_vi, name_en, default_unit, deadline_hours, "
                                   "level, deadline_amount, deadline_unit FROM categories "
                                   "ORDER BY id"));
  std::vector<Category> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Text(3), static_cast<int>(st->Int(4)),
                   st->Text(5), static_cast<int>(st->Int(6)), st->Text(7)});
  }
  return out;
}

Result<std::vector<ResponseTemplate>> ReportQueries::Templates(const std::string& status) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT id, status, title_vi, body_vi FROM "
                                            "response_templates WHERE ?1 = '' OR status = ?1 "
                                            "ORDER BY status, id"));
  st->Bind(1, status);
  std::vector<ResponseTemplate> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Text(3)});
  }
  return out;
}

bool IsOverdue(const Report& r, int64_t now_ms) {
  const std::optional<std::string>& deadline = r.expected_at ? r.expected_at : r.due_at;
  std::optional<int64_t> at = deadline ? ParseUtc(*deadline) : std::nullopt;
  return workflow::IsOpen(r.status) && at && now_ms > *at;
}

Result<std::string> ReportQueries::Resolve(const std::string& typed) {
  // An id passes unchecked: the report may be gone while changes of it are kept
  // (GetReportSync), and the caller's own lookup names what is missing.
  if (LooksLikeUuid(typed)) return typed;
  if (std::optional<std::string> code = receipt::Normalize(typed)) {
    Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT id FROM reports WHERE receipt_code = ?"));
    st->Bind(1, *code);
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) return st->Text(0);
    return NotFound("no report with receipt code " + *code +
                    " on this device (sync first?) / không có phản ánh mã " + *code +
                    " trên thiết bị này");
  }
  // The start of a code, as a person reads it off a paper slip: "7KXM", "q11-7kx".
  std::string start;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    start.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  if (start.rfind("Q11", 0) == 0) start.erase(0, 3);
  const bool code_like = start.size() >= 4 && start.size() < receipt::kCodeChars &&
                         start.find_first_not_of(receipt::kAlphabet) == std::string::npos;
  if (!code_like) return typed;  // neither id nor code: the caller's lookup says "no report"
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT id, receipt_code FROM reports "
                                            "WHERE replace(receipt_code, '-', '') LIKE ? "
                                            "ORDER BY receipt_code LIMIT 6"));
  st->Bind(1, "Q11" + start + "%");
  std::vector<std::pair<std::string, std::string>> found;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    found.emplace_back(st->Text(0), st->Text(1));
  }
  if (found.size() == 1) return found[0].first;
  if (found.empty())
    return NotFound("no report whose receipt code starts with " + start +
                    " on this device / không có phản ánh có mã bắt đầu bằng " + start);
  std::string names;
  for (size_t i = 0; i < found.size() && i < 5; ++i) names += (i ? ", " : "") + found[i].second;
  if (found.size() > 5) names += ", ...";
  return FailedPrecondition("several reports have a receipt code starting with " + start + " (" +
                            names +
                            "): type more of it / nhiều phản ánh có mã bắt đầu "
                            "bằng " +
                            start + ", hãy gõ thêm");
}

Result<std::string> ReportQueries::ReportOfEvent(const std::string& event_id) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT report_id FROM case_events WHERE id = ?"));
  st->Bind(1, event_id);
  Q11_ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Text(0) : std::string();
}

}  // namespace q11::device
