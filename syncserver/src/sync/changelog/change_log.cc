#include "sync/changelog/change_log.h"

namespace q11::server {

Result<std::unique_ptr<ChangeLog>> ChangeLog::Create(SqlConn& db) {
  std::unique_ptr<ChangeLog> log(new ChangeLog(db));
  struct {
    SqlStmt* target;
    const char* sql;
  } statements[] = {
      {&log->read_counter_, "SELECT value FROM meta WHERE key = 'last_seq'"},
      {&log->write_counter_, "UPDATE meta SET value = ?1 WHERE key = 'last_seq'"},
      {&log->insert_gone_,
       "INSERT INTO row_audience (audience, seq, tbl, pk, gone) "
       "VALUES (?4, ?1, ?2, ?3, 1) ON CONFLICT DO NOTHING"},
      {&log->compact_,
       "DELETE FROM row_audience WHERE (audience, seq) IN ("
       " SELECT a.audience, a.seq FROM row_audience a JOIN row_log l"
       " ON l.tbl = a.tbl AND l.pk = a.pk WHERE a.gone = 0 AND a.seq < l.seq LIMIT ?1)"},
      {&log->upsert_row_,
       // ?7: the echo holds only over a previous version with seq <= ?7 (none: no echo).
       "INSERT INTO row_log (tbl, pk, seq, deleted, echo_device, echo_base) "
       "VALUES (?1, ?2, ?3, ?4, CASE WHEN CAST(?7 AS BIGINT) IS NULL THEN ?5 END, ?6) "
       "ON CONFLICT (tbl, pk) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted, "
       "echo_device = CASE WHEN CAST(?7 AS BIGINT) IS NULL OR row_log.seq <= ?7 THEN ?5 END, "
       "echo_base = excluded.echo_base"},
      {&log->find_row_, "SELECT seq, deleted FROM row_log WHERE tbl = ?1 AND pk = ?2"},
      {&log->forget_echo_,
       "UPDATE row_log SET echo_device = NULL, echo_base = NULL WHERE tbl = ?1 AND pk = ?2"},
  };
  for (auto& s : statements) {
    Result<SqlStmt> st = db.Prepare(s.sql);
    if (!st.ok()) return st.status();
    *s.target = std::move(*st);
  }
  for (int n = 1; n <= 4; ++n) {
    // Parameters: ?1 seq, ?2 tbl, ?3 pk, then one per audience.
    std::string sql = "INSERT INTO row_audience (audience, seq, tbl, pk) VALUES ";
    for (int i = 0; i < n; ++i)
      sql += (i ? ", (?" : "(?") + std::to_string(i + 4) + ", ?1, ?2, ?3)";
    sql += " ON CONFLICT DO NOTHING";
    Result<SqlStmt> st = db.Prepare(sql);
    if (!st.ok()) return st.status();
    log->insert_audiences_[n - 1] = std::move(*st);
  }
  return log;
}

Status ChangeLog::Begin() {
  Result<bool> row = read_counter_.Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    read_counter_.Reset();
    return Internal("meta.last_seq is missing");
  }
  last_seq_ = stored_seq_ = static_cast<uint64_t>(read_counter_.Int(0));
  read_counter_.Reset();
  return Status::Ok();
}

Result<uint64_t> ChangeLog::Record(std::string_view table, std::string_view pk, bool deleted,
                                   const std::vector<std::string>& audiences,
                                   const std::vector<std::string>& departed, const Echo& echo) {
  if (audiences.empty() || audiences.size() > 4) return Internal("a row needs 1-4 audiences");
  uint64_t seq = ++last_seq_;
  upsert_row_.Bind(1, table)
      .Bind(2, pk)
      .Bind(3, static_cast<int64_t>(seq))
      .Bind(4, deleted ? 1 : 0);
  if (echo.device.empty()) {
    upsert_row_.BindNull(5);
  } else {
    upsert_row_.Bind(5, echo.device);
    echoed_.emplace_back(table, pk);
  }
  if (echo.base.empty())
    upsert_row_.BindNull(6);
  else
    upsert_row_.BindBlob(6, echo.base);
  if (echo.seen_by)
    upsert_row_.Bind(7, static_cast<int64_t>(*echo.seen_by));
  else
    upsert_row_.BindNull(7);
  Q11_RETURN_IF_ERROR(upsert_row_.Run());
  SqlStmt& insert = insert_audiences_[audiences.size() - 1];
  insert.Bind(1, static_cast<int64_t>(seq)).Bind(2, table).Bind(3, pk);
  for (size_t i = 0; i < audiences.size(); ++i) insert.Bind(static_cast<int>(i + 4), audiences[i]);
  Q11_RETURN_IF_ERROR(insert.Run());
  for (const std::string& audience : departed) {
    insert_gone_.Bind(1, static_cast<int64_t>(seq)).Bind(2, table).Bind(3, pk).Bind(4, audience);
    Q11_RETURN_IF_ERROR(insert_gone_.Run());
  }
  return seq;
}

Result<int64_t> ChangeLog::Compact(int64_t limit) {
  compact_.Bind(1, limit);
  Q11_RETURN_IF_ERROR(compact_.Run());
  return db_->Changes();
}

Result<std::optional<ChangeLog::RowState>> ChangeLog::Find(std::string_view table,
                                                           std::string_view pk) {
  find_row_.Bind(1, table).Bind(2, pk);
  Result<bool> row = find_row_.Step();
  if (!row.ok()) return row.status();
  std::optional<RowState> out;
  if (*row) out = RowState{static_cast<uint64_t>(find_row_.Int(0)), find_row_.Int(1) != 0};
  find_row_.Reset();
  return out;
}

Status ChangeLog::ForgetEchoes() {
  for (const auto& [table, pk] : echoed_) {
    forget_echo_.Bind(1, table).Bind(2, pk);
    Q11_RETURN_IF_ERROR(forget_echo_.Run());
  }
  echoed_.clear();
  return Status::Ok();
}

Status ChangeLog::Finish() {
  if (last_seq_ == stored_seq_) return Status::Ok();
  write_counter_.Bind(1, static_cast<int64_t>(last_seq_));
  Q11_RETURN_IF_ERROR(write_counter_.Run());
  stored_seq_ = last_seq_;
  return Status::Ok();
}

}  // namespace q11::server
