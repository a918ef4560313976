#include "conflicts/conflict_queries.h"

#include "protocol/ids.h"
#include "sync/sql_value.h"

namespace q11::server {
namespace {

// The summary columns, in this order, of both list_ and one_.
std::string SummaryColumns(SqlDialect dialect) {
  // The conflict's columns, comma-separated in table order (SQLite 3.40 has no string_agg).
  const char* columns =
      dialect == SqlDialect::kPostgres
          ? "(SELECT string_agg(col, ',' ORDER BY position) FROM conflict_columns "
            "WHERE conflict_id = c.id)"
          : "(SELECT group_concat(col, ',') FROM (SELECT col FROM conflict_columns "
            "WHERE conflict_id = c.id ORDER BY position))";
  return std::string(
             "c.id, c.tbl, c.pk, c.op, c.unit, c.assigned_unit, c.user_id, c.user_name, "
             "c.device_id, c.created_at, c.state, coalesce(c.resolved_at, ''), "
             "coalesce(c.resolved_by, ''), ") +
         columns + ", c.row_seq, coalesce(c.decision, '')";
}

ConflictOp ParseOp(std::string_view op) {
  if (op == "delete") return ConflictOp::kDelete;
  if (op == "update_deleted") return ConflictOp::kUpdateDeleted;
  return ConflictOp::kUpdate;
}

ConflictSummary SummaryFromRow(const SqlStmt& st) {
  ConflictSummary s;
  s.id = st.Text(0);
  s.table = st.Text(1);
  s.row_id = st.Text(2);
  s.op = ParseOp(st.Text(3));
  s.unit = st.Text(4);
  s.assigned_unit = st.Text(5);
  s.user_id = st.Text(6);
  s.user = st.Text(7);
  s.device_id = st.Text(8);
  s.created_at = st.Text(9);
  s.state = st.Text(10);
  s.resolved_at = st.Text(11);
  s.resolved_by = st.Text(12);
  std::string cols = st.Text(13);
  for (size_t start = 0; !cols.empty() && start <= cols.size();) {
    size_t comma = cols.find(',', start);
    if (comma == std::string::npos) comma = cols.size();
    s.columns.push_back(cols.substr(start, comma - start));
    start = comma + 1;
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<ConflictQueries>> ConflictQueries::Create(SqlConn& db) {
  std::unique_ptr<ConflictQueries> q(new ConflictQueries());
  const std::string select = "SELECT " + SummaryColumns(db.dialect()) + " FROM conflicts c ";
  struct {
    SqlStmt* target;
    std::string sql;
  } statements[] = {
      {&q->list_, select + "WHERE (?1 = 'all' OR c.state = ?1) AND (?2 = '' OR c.tbl = ?2) "
                           "AND (?3 = '' OR c.unit = ?3 OR c.assigned_unit = ?3) "
                           "AND c.created_at <= ?4 ORDER BY c.created_at DESC, c.id DESC LIMIT ?5"},
      {&q->one_, select + "WHERE c.id = ?1"},
      {&q->columns_,
       "SELECT col, base_value, device_value, server_value, resolved_value FROM "
       "conflict_columns WHERE conflict_id = ?1 ORDER BY position"},
      {&q->row_seq_, "SELECT seq FROM row_log WHERE tbl = ?1 AND pk = ?2"},
  };
  for (auto& s : statements) {
    Result<SqlStmt> st = db.Prepare(s.sql);
    if (!st.ok()) return st.status();
    *s.target = std::move(*st);
  }
  return q;
}

Result<std::vector<ConflictSummary>> ConflictQueries::List(const ConflictFilter& f,
                                                           int64_t now_ms) {
  std::string cutoff = FormatUtc(now_ms - f.min_age_hours * 3600 * 1000);
  list_.Bind(1, f.state).Bind(2, f.table).Bind(3, f.unit).Bind(4, cutoff).Bind(5, f.limit);
  std::vector<ConflictSummary> out;
  for (;;) {
    Result<bool> row = list_.Step();
    if (!row.ok()) {
      list_.Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back(SummaryFromRow(list_));
  }
  list_.Reset();
  return out;
}

Result<ConflictDetail> ConflictQueries::Get(std::string_view id) {
  ConflictDetail d;
  std::string decision;
  {
    one_.Bind(1, id);
    Result<bool> row = one_.Step();
    if (!row.ok() || !*row) {
      one_.Reset();
      if (!row.ok()) return row.status();
      return NotFound("no conflict with id '" + std::string(id) +
                      "' / không có xung đột với mã này");
    }
    d.summary = SummaryFromRow(one_);
    d.row_seq = static_cast<uint64_t>(one_.Int(14));
    decision = one_.Text(15);
    one_.Reset();
  }
  if (d.summary.state == "resolved") {
    d.resolution.emplace();
    d.resolution->by = d.summary.resolved_by;
    d.resolution->at = d.summary.resolved_at;
    d.resolution->decision = decision;
  }
  columns_.Bind(1, id);
  for (;;) {
    Result<bool> row = columns_.Step();
    if (!row.ok()) {
      columns_.Reset();
      return row.status();
    }
    if (!*row) break;
    ConflictColumn c;
    c.column = columns_.Text(0);
    c.base = ToField(columns_.Column(1));
    c.device = ToField(columns_.Column(2));
    c.server = ToField(columns_.Column(3));
    if (d.resolution) d.resolution->values[c.column] = ToField(columns_.Column(4));
    d.columns.push_back(std::move(c));
  }
  columns_.Reset();
  row_seq_.Bind(1, d.summary.table).Bind(2, d.summary.row_id);
  Result<bool> row = row_seq_.Step();
  if (!row.ok()) {
    row_seq_.Reset();
    return row.status();
  }
  if (*row) d.current_seq = static_cast<uint64_t>(row_seq_.Int(0));
  row_seq_.Reset();
  return d;
}

}  // namespace q11::server
