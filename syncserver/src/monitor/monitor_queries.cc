#include "monitor/monitor_queries.h"

#include "store/sql/event_log.h"

namespace q11::server {
namespace {

// Per report: its columns, then what its events say: times are the server's receipt of
// each event (a device's clock does not decide leaders' figures), and events that announced
// a change the server did not take do not count (event_log.h).
const std::string kTrueEvent = std::string(" AND ") + kEventTrueOfCase;
const std::string kFacts =
    "SELECT r.id, r.receipt_code, r.kind, r.category_id, r.ward_id, r.assigned_unit, r.status, "
    "r.title, r.created_at, r.received_at, r.due_at, r.expected_at, r.resolved_at, r.updated_at, "
    "(SELECT min(" +
    std::string(kEventReceivedAt) +
    ") FROM case_events e WHERE "
    "  e.report_id = r.id AND e.kind = 'status' "
    "  AND e.status IN ('accepted', 'assigned', 'in_progress')" +
    kTrueEvent +
    "), "
    "(SELECT min(" +
    std::string(kEventReceivedAt) +
    ") FROM case_events e WHERE "
    "  e.report_id = r.id AND "
    "  (e.kind = 'assignment' OR (e.kind = 'status' AND e.status = 'assigned'))" +
    kTrueEvent +
    "), "
    "(SELECT max(" +
    std::string(kEventReceivedAt) +
    ") FROM case_events e WHERE "
    "  e.report_id = r.id AND e.kind = 'status' AND e.status = 'closed'" +
    kTrueEvent +
    "), "
    "EXISTS (SELECT 1 FROM case_events e WHERE e.report_id = r.id AND e.kind = 'status' "
    "  AND e.status = 'reopened'" +
    kTrueEvent +
    "), "
    "(SELECT e.stars FROM case_events e WHERE e.report_id = r.id AND e.kind = 'rating' "
    "  AND e.stars BETWEEN 1 AND 5 ORDER BY e.created_at DESC, e.id DESC LIMIT 1), "
    "r.lat, r.lon FROM reports r ";

CaseFacts ReadFacts(const SqlStmt& st) {
  CaseFacts f;
  std::string* text[] = {&f.id,          &f.receipt_code,  &f.kind,        &f.category_id,
                         &f.ward_id,     &f.assigned_unit, &f.status,      &f.title,
                         &f.created_at,  &f.received_at,   &f.due_at,      &f.expected_at,
                         &f.resolved_at, &f.updated_at,    &f.accepted_at, &f.assigned_at,
                         &f.closed_at};
  for (size_t i = 0; i < std::size(text); ++i) *text[i] = st.Text(static_cast<int>(i));
  f.reopened = st.Int(17) != 0;
  f.stars = st.IsNull(18) ? 0 : static_cast<int>(st.Int(18));
  f.lat = st.OptDouble(19);
  f.lon = st.OptDouble(20);
  // A report the server stored before it stamped receipts: its own time is the best left.
  if (f.received_at.empty()) f.received_at = f.created_at;
  return f;
}

}  // namespace

Result<std::unique_ptr<MonitorQueries>> MonitorQueries::Create(SqlConn& db) {
  std::unique_ptr<MonitorQueries> q(new MonitorQueries(db));
  struct {
    SqlStmt* st;
    std::string sql;
  } prepared[] = {
      {&q->cases_, std::string(kFacts) +
                       "WHERE coalesce(r.received_at, r.created_at) >= ?1 AND "
                       "coalesce(r.received_at, r.created_at) < ?2 "
                       "OR (r.resolved_at >= ?1 AND r.resolved_at < ?2) "
                       "OR r.status IN ('new', 'accepted', 'assigned', 'in_progress', 'reopened')"},
      {&q->one_case_, std::string(kFacts) + "WHERE r.id = ?1"},
      {&q->events_,
       "SELECT id, created_at, kind, status, note, unit_id, author_role, stars FROM case_events "
       "WHERE report_id = ?1 ORDER BY created_at, id"},
      {&q->photos_,
       "SELECT id, sha256, role, mime, bytes, width, height, author_role, created_at FROM photos "
       "WHERE report_id = ?1 ORDER BY created_at, id"},
      {&q->units_,
       "SELECT id, parent_id, kind, name_vi, name_en FROM units ORDER BY "
       "CASE kind WHEN 'district' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, id"},
      {&q->categories_, "SELECT id, name_vi, name_en FROM categories ORDER BY id"},
      {&q->holidays_, "SELECT day FROM holidays ORDER BY day"},
      {&q->moves_,
       "SELECT report_id, moved_at, ward_before, coalesce(unit_before, '') FROM unit_moves "
       "ORDER BY moved_at, report_id"},
  };
  for (auto& p : prepared) {
    Result<SqlStmt> st = db.Prepare(p.sql);
    if (!st.ok()) return st.status();
    *p.st = std::move(*st);
  }
  return q;
}

Result<MonitorFacts> MonitorQueries::Read(std::string_view from_utc, std::string_view to_utc) {
  Result<SqlTransaction> tx = SqlTransaction::Read(db_);
  if (!tx.ok()) return tx.status();
  MonitorFacts out;
  cases_.Bind(1, from_utc).Bind(2, to_utc);
  Q11_RETURN_IF_ERROR(
      EachRow(cases_, [&](const SqlStmt& st) { out.cases.push_back(ReadFacts(st)); }));
  Q11_RETURN_IF_ERROR(EachRow(units_, [&](const SqlStmt& st) {
    out.units.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4)});
  }));
  Q11_RETURN_IF_ERROR(EachRow(categories_, [&](const SqlStmt& st) {
    out.categories.push_back({st.Text(0), st.Text(1), st.Text(2)});
  }));
  Q11_RETURN_IF_ERROR(
      EachRow(holidays_, [&](const SqlStmt& st) { out.holidays.push_back(st.Text(0)); }));
  Q11_RETURN_IF_ERROR(EachRow(moves_, [&](const SqlStmt& st) {
    out.moves.push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3)});
  }));
  Q11_RETURN_IF_ERROR(tx->Commit());
  return out;
}

Result<std::optional<CaseHistory>> MonitorQueries::History(std::string_view report_id) {
  Result<SqlTransaction> tx = SqlTransaction::Read(db_);
  if (!tx.ok()) return tx.status();
  std::optional<CaseHistory> out;
  one_case_.Bind(1, report_id);
  Q11_RETURN_IF_ERROR(EachRow(one_case_, [&](const SqlStmt& st) {
    out.emplace();
    out->facts = ReadFacts(st);
  }));
  if (!out) return out;
  events_.Bind(1, report_id);
  Q11_RETURN_IF_ERROR(EachRow(events_, [&](const SqlStmt& st) {
    CaseHistory::Event e{st.Text(0), st.Text(1), st.Text(2), st.Text(3),
                         st.Text(4), st.Text(5), st.Text(6), 0};
    e.stars = st.IsNull(7) ? 0 : static_cast<int>(st.Int(7));
    out->events.push_back(std::move(e));
  }));
  photos_.Bind(1, report_id);
  Q11_RETURN_IF_ERROR(EachRow(photos_, [&](const SqlStmt& st) {
    CaseHistory::Photo p;
    p.id = st.Text(0);
    p.sha256 = st.Text(1);
    p.role = st.Text(2);
    p.mime = st.Text(3);
    p.author_role = st.Text(7);
    p.created_at = st.Text(8);
    p.bytes = st.Int(4);
    if (!st.IsNull(5)) p.width = st.Int(5);
    if (!st.IsNull(6)) p.height = st.Int(6);
    out->photos.push_back(std::move(p));
  }));
  Q11_RETURN_IF_ERROR(tx->Commit());
  return out;
}

}  // namespace q11::server
