#include "public/receipt_queries.h"

#include "store/sql/event_log.h"

namespace q11::server {

Result<std::unique_ptr<ReceiptQueries>> ReceiptQueries::Create(SqlConn& db) {
  std::unique_ptr<ReceiptQueries> q(new ReceiptQueries());
  static constexpr const char* kCase =
      "SELECT r.id, r.receipt_code, r.status, r.category_id, c.name_vi, c.name_en, r.ward_id, "
      "w.name_vi, w.name_en, r.assigned_unit, u.name_vi, u.name_en, r.created_at, "
      "r.received_at, r.due_at, r.expected_at, r.resolved_at, r.updated_at, d.receipt_code "
      "FROM reports r LEFT JOIN categories c ON c.id = r.category_id "
      "LEFT JOIN units w ON w.id = r.ward_id LEFT JOIN units u ON u.id = r.assigned_unit "
      "LEFT JOIN reports d ON d.id = r.duplicate_of ";
  Result<SqlStmt> report = db.Prepare(std::string(kCase) + "WHERE r.receipt_code = ?1");
  if (!report.ok()) return report.status();
  q->report_ = std::move(*report);
  Result<SqlStmt> ward = db.Prepare(std::string(kCase) +
                                    "WHERE r.ward_id = ?1 ORDER BY r.updated_at DESC, "
                                    "r.id LIMIT ?2 OFFSET ?3");
  if (!ward.ok()) return ward.status();
  q->ward_ = std::move(*ward);
  // Citizens' own events (comments, ratings, reasons) may name them: never shown.
  // Events that announced a change the server did not take are not true of the case.
  Result<SqlStmt> history = db.Prepare(
      std::string("SELECT e.created_at, e.kind, e.status, e.note FROM case_events e WHERE "
                  "e.report_id = ?1 AND e.author_role IN ('official', 'leader', 'admin') "
                  "AND e.kind IN ('status', 'assignment', 'progress', 'result') AND ") +
      kEventTrueOfCase + " ORDER BY e.created_at, e.id");
  if (!history.ok()) return history.status();
  q->history_ = std::move(*history);
  return q;
}

Result<std::optional<PublicCase>> ReceiptQueries::Find(std::string_view code) {
  report_.Bind(1, code);
  Result<bool> row = report_.Step();
  if (!row.ok() || !*row) {
    report_.Reset();
    if (!row.ok()) return row.status();
    return std::optional<PublicCase>();
  }
  Result<PublicCase> c = ReadCase(report_);
  report_.Reset();
  if (!c.ok()) return c.status();
  return std::optional<PublicCase>(std::move(*c));
}

Result<std::vector<PublicCase>> ReceiptQueries::ListWard(std::string_view ward, int limit,
                                                         int offset) {
  ward_.Bind(1, ward).Bind(2, limit).Bind(3, offset);
  std::vector<PublicCase> out;
  for (;;) {
    Result<bool> row = ward_.Step();
    if (!row.ok()) {
      ward_.Reset();
      return row.status();
    }
    if (!*row) break;
    Result<PublicCase> c = ReadCase(ward_);
    if (!c.ok()) {
      ward_.Reset();
      return c.status();
    }
    // The list is for browsing, not following: no receipt code of this report nor of the
    // one it duplicates (whoever holds a code may follow that case).
    c->receipt_code.clear();
    c->duplicate_of.clear();
    out.push_back(std::move(*c));
  }
  ward_.Reset();
  return out;
}

Result<PublicCase> ReceiptQueries::ReadCase(SqlStmt& st) {
  PublicCase c;
  std::string id = st.Text(0);
  std::string* fields[] = {
      &c.receipt_code, &c.status,  &c.category_id, &c.category_vi, &c.category_en, &c.ward_id,
      &c.ward_vi,      &c.ward_en, &c.unit_id,     &c.unit_vi,     &c.unit_en,     &c.created_at,
      &c.received_at,  &c.due_at,  &c.expected_at, &c.resolved_at, &c.updated_at,  &c.duplicate_of};
  for (size_t i = 0; i < std::size(fields); ++i) *fields[i] = st.Text(static_cast<int>(i) + 1);
  history_.Bind(1, id);
  for (;;) {
    Result<bool> step = history_.Step();
    if (!step.ok()) {
      history_.Reset();
      return step.status();
    }
    if (!*step) break;
    c.history.push_back({history_.Text(0), history_.Text(1), history_.Text(2), history_.Text(3)});
  }
  history_.Reset();
  return c;
}

}  // namespace q11::server
