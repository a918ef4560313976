#include "store/sql/open311_queries.h"

#include "store/sql/event_log.h"

namespace q11::server {
namespace {

// "?a, ?b, ..." for `n` values bound from parameter number `*next` on.
std::string Placeholders(size_t n, int* next) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += "?" + std::to_string((*next)++);
  }
  return out;
}

// Every row of `st`, each made by `read`.
template <typename T, typename F>
Result<std::vector<T>> All(SqlStmt& st, F read) {
  std::vector<T> out;
  for (;;) {
    Result<bool> row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read(st));
  }
  return out;
}

// Staff's events only: citizens' comments, ratings and reasons may name them.
// Staff's events that are true of the case (event_log.h).
const std::string kStaffEvent =
    std::string(
        "e.author_role IN ('official', 'leader', 'admin') "
        "AND e.kind IN ('status', 'assignment', 'progress', 'result') AND ") +
    kEventTrueOfCase;

}  // namespace

Result<std::vector<Open311Service>> Open311Queries::Services() {
  Result<SqlStmt> st = db_.Prepare(
      "SELECT c.id, c.name_vi, c.name_en, c.level, c.deadline_amount, c.deadline_unit, "
      "c.deadline_hours, u.name_vi, u.name_en FROM categories c "
      "LEFT JOIN units u ON u.id = c.default_unit ORDER BY c.id");
  if (!st.ok()) return st.status();
  return All<Open311Service>(*st, [](SqlStmt& s) {
    return Open311Service{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4),
                          s.Text(5), s.Int(6),  s.Text(7), s.Text(8)};
  });
}

Result<std::vector<Open311Ward>> Open311Queries::Wards() {
  Result<SqlStmt> st =
      db_.Prepare("SELECT id, name_vi, name_en FROM units WHERE kind = 'ward' ORDER BY id");
  if (!st.ok()) return st.status();
  return All<Open311Ward>(*st, [](SqlStmt& s) {
    return Open311Ward{s.Text(0), s.Text(1), s.Text(2)};
  });
}

Result<std::vector<Open311Request>> Open311Queries::Requests(const Open311RequestFilter& f) {
  // requested_at: the server's receipt time (devices' clocks are not trusted for it);
  // reports older than that column fall back to the device's time.
  std::string sql =
      "SELECT r.id, r.kind, r.status, r.category_id, c.name_vi, c.name_en, r.ward_id, w.name_vi, "
      "w.name_en, r.assigned_unit, u.name_vi, u.name_en, du.name_vi, du.name_en, r.created_at, "
      "coalesce(r.received_at, r.created_at) AS requested, r.updated_at, r.due_at, "
      "r.expected_at, r.resolved_at, r.duplicate_of, "
      "(SELECT e.note FROM case_events e WHERE e.report_id = r.id AND " +
      kStaffEvent +
      " AND e.kind IN ('status', 'result') AND e.note IS NOT NULL AND e.note != '' "
      "ORDER BY e.created_at DESC, e.id DESC LIMIT 1) "
      "FROM reports r LEFT JOIN categories c ON c.id = r.category_id "
      "LEFT JOIN units w ON w.id = r.ward_id LEFT JOIN units u ON u.id = r.assigned_unit "
      "LEFT JOIN units du ON du.id = c.default_unit WHERE TRUE";
  int next = 1;
  if (!f.ids.empty()) sql += " AND r.id IN (" + Placeholders(f.ids.size(), &next) + ")";
  if (!f.services.empty())
    sql += " AND r.category_id IN (" + Placeholders(f.services.size(), &next) + ")";
  if (!f.statuses.empty())
    sql += " AND r.status IN (" + Placeholders(f.statuses.size(), &next) + ")";
  if (!f.since.empty())
    sql += " AND coalesce(r.received_at, r.created_at) >= ?" + std::to_string(next++);
  if (!f.until.empty())
    sql += " AND coalesce(r.received_at, r.created_at) <= ?" + std::to_string(next++);
  sql += " ORDER BY requested DESC, r.id DESC LIMIT ?" + std::to_string(next) + " OFFSET ?" +
         std::to_string(next + 1);
  Result<SqlStmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  int i = 1;
  for (const auto* list : {&f.ids, &f.services, &f.statuses})
    for (const std::string& v : *list) st->Bind(i++, v);
  if (!f.since.empty()) st->Bind(i++, f.since);
  if (!f.until.empty()) st->Bind(i++, f.until);
  st->Bind(i, f.limit).Bind(i + 1, f.offset);
  return All<Open311Request>(*st, [](SqlStmt& s) {
    Open311Request r;
    std::string* fields[] = {
        &r.id,           &r.kind,       &r.status,          &r.category_id,     &r.category_vi,
        &r.category_en,  &r.ward_id,    &r.ward_vi,         &r.ward_en,         &r.unit_id,
        &r.unit_vi,      &r.unit_en,    &r.default_unit_vi, &r.default_unit_en, &r.created_at,
        &r.requested_at, &r.updated_at, &r.due_at,          &r.expected_at,     &r.resolved_at,
        &r.duplicate_of, &r.status_note};
    for (size_t k = 0; k < std::size(fields); ++k) *fields[k] = s.Text(static_cast<int>(k));
    return r;
  });
}

Result<std::vector<Open311Update>> Open311Queries::Updates(const Open311UpdateFilter& f) {
  std::string sql =
      "SELECT e.id, e.report_id, e.kind, e.status, r.status, e.note, e.created_at "
      "FROM case_events e JOIN reports r ON r.id = e.report_id WHERE " +
      kStaffEvent;
  int next = 1;
  if (!f.report_ids.empty())
    sql += " AND e.report_id IN (" + Placeholders(f.report_ids.size(), &next) + ")";
  if (!f.since.empty()) sql += " AND e.created_at >= ?" + std::to_string(next++);
  if (!f.until.empty()) sql += " AND e.created_at <= ?" + std::to_string(next++);
  sql += " ORDER BY e.created_at, e.id LIMIT ?" + std::to_string(next) + " OFFSET ?" +
         std::to_string(next + 1);
  Result<SqlStmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  int i = 1;
  for (const std::string& v : f.report_ids) st->Bind(i++, v);
  if (!f.since.empty()) st->Bind(i++, f.since);
  if (!f.until.empty()) st->Bind(i++, f.until);
  st->Bind(i, f.limit).Bind(i + 1, f.offset);
  return All<Open311Update>(*st, [](SqlStmt& s) {
    return Open311Update{s.Text(0), s.Text(1), s.Text(2), s.Text(3),
                         s.Text(4), s.Text(5), s.Text(6)};
  });
}

Result<std::optional<std::string>> Open311Queries::ReportIdByReceipt(std::string_view code) {
  Result<SqlStmt> st = db_.Prepare("SELECT id FROM reports WHERE receipt_code = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, code);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

Result<std::optional<std::pair<std::string, std::string>>> Open311Queries::Stamps(
    std::string_view id) {
  using Out = std::optional<std::pair<std::string, std::string>>;
  Result<SqlStmt> st = db_.Prepare("SELECT receipt_code, due_at FROM reports WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Out();
  return Out(std::make_pair(st->Text(0), st->Text(1)));
}

}  // namespace q11::server
