#include "sync/changelog/change_log.h"

#include <algorithm>
#include <map>

#include "protocol/schema.h"
#include "sync/access_scope.h"

#include "sync/changelog/scope_sums.h"

namespace q11::server {
namespace {

wire::ScopeSum& Entry(std::map<std::string, wire::ScopeSum, std::less<>>& sums,
                      std::string_view audience) {
  auto it = sums.find(audience);
  if (it == sums.end()) it = sums.emplace(std::string(audience), wire::ScopeSum{}).first;
  return it->second;
}

}  // namespace

Result<std::unique_ptr<ChangeLog>> ChangeLog::Create(SqlConn& db, const TableShapes& shapes) {
  std::unique_ptr<ChangeLog> log(new ChangeLog(db));
  Result<std::unique_ptr<RowDigests>> digests = RowDigests::Create(db, shapes);
  if (!digests.ok()) return digests.status();
  log->digests_ = std::move(*digests);
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
      {&log->read_digest_,
       "SELECT seq, deleted, digest_hi, digest_lo, digest_audiences FROM row_log "
       "WHERE tbl = ?1 AND pk = ?2"},
      {&log->write_digest_,
       "UPDATE row_log SET digest_hi = ?3, digest_lo = ?4, digest_audiences = ?5 "
       "WHERE tbl = ?1 AND pk = ?2"},
      {&log->read_sum_, "SELECT row_count, sum_hi, sum_lo FROM scope_sums WHERE audience = ?1"},
      {&log->write_sum_,
       "INSERT INTO scope_sums (audience, row_count, sum_hi, sum_lo) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (audience) DO UPDATE SET row_count = excluded.row_count, "
       "sum_hi = excluded.sum_hi, sum_lo = excluded.sum_lo"},
      {&log->read_unlogged_,
       "SELECT digest_hi, digest_lo FROM unlogged_ref WHERE tbl = ?1 AND pk = ?2"},
      {&log->drop_unlogged_, "DELETE FROM unlogged_ref WHERE tbl = ?1 AND pk = ?2"},
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
  recorded_.clear();  // left by a transaction that did not reach Finish()
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
  Recorded& r = recorded_.emplace_back();
  r.table.assign(table);
  r.pk.assign(pk);
  r.seq = seq;
  r.audiences = JoinAudiences(audiences);
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

Result<std::optional<wire::Digest128>> ChangeLog::TakeUnloggedRef(std::string_view table,
                                                                  std::string_view pk) {
  std::optional<wire::Digest128> out;
  if (std::find(schema::kPublishedReferenceTables.begin(), schema::kPublishedReferenceTables.end(),
                table) == schema::kPublishedReferenceTables.end())
    return out;
  read_unlogged_.Bind(1, table).Bind(2, pk);
  Result<bool> found = read_unlogged_.Step();
  if (found.ok() && *found)
    out = wire::Digest128{static_cast<uint64_t>(read_unlogged_.Int(0)),
                          static_cast<uint64_t>(read_unlogged_.Int(1))};
  read_unlogged_.Reset();
  if (!found.ok()) return found.status();
  if (out) {
    drop_unlogged_.Bind(1, table).Bind(2, pk);
    Q11_RETURN_IF_ERROR(drop_unlogged_.Run());
  }
  return out;
}

Status ChangeLog::UpdateScopeSums() {
  // The last record of each row decides (a row may change several times in one push).
  std::map<std::pair<std::string_view, std::string_view>, const Recorded*> last;
  for (const Recorded& r : recorded_) last[{r.table, r.pk}] = &r;
  std::map<std::string, wire::ScopeSum, std::less<>> delta;
  for (const auto& [key, r] : last) {
    read_digest_.Bind(1, r->table).Bind(2, r->pk);
    Result<bool> found = read_digest_.Step();
    if (!found.ok() || !*found) {
      read_digest_.Reset();
      if (!found.ok()) return found.status();
      return Internal("row_log lost " + r->table + " " + r->pk);
    }
    const uint64_t seq = static_cast<uint64_t>(read_digest_.Int(0));
    const bool deleted = read_digest_.Int(1) != 0;
    std::optional<wire::Digest128> old;
    if (!read_digest_.IsNull(2))
      old = wire::Digest128{static_cast<uint64_t>(read_digest_.Int(2)),
                            static_cast<uint64_t>(read_digest_.Int(3))};
    std::string old_audiences = read_digest_.Text(4);
    read_digest_.Reset();
    if (seq != r->seq) continue;  // not this transaction's version after all
    if (!old) {
      // A built-in reference row logged for the first time was counted unlogged.
      Result<std::optional<wire::Digest128>> unlogged = TakeUnloggedRef(r->table, r->pk);
      if (!unlogged.ok()) return unlogged.status();
      if (unlogged->has_value()) {
        old = **unlogged;
        old_audiences = std::string(kReferenceAudience);
      }
    }
    std::optional<wire::Digest128> now;
    if (!deleted) {
      // A row logged as live but gone counts nowhere, as the pull skips it.
      Result<std::optional<wire::Digest128>> d = digests_->Of(r->table, r->pk);
      if (!d.ok()) return d.status();
      now = *d;
    }
    const std::string& now_audiences = now ? r->audiences : std::string();
    if (old == now && old_audiences == now_audiences) continue;
    if (old)
      for (std::string_view a : SplitAudiences(old_audiences)) Entry(delta, a).Remove(*old);
    if (now)
      for (std::string_view a : SplitAudiences(now_audiences)) Entry(delta, a).Add(*now);
    write_digest_.Bind(1, r->table).Bind(2, r->pk);
    if (now) {
      write_digest_.Bind(3, static_cast<int64_t>(now->hi))
          .Bind(4, static_cast<int64_t>(now->lo))
          .Bind(5, now_audiences);
    } else {
      write_digest_.BindNull(3).BindNull(4).BindNull(5);
    }
    Q11_RETURN_IF_ERROR(write_digest_.Run());
  }
  recorded_.clear();
  for (const auto& [audience, d] : delta) {
    if (d == wire::ScopeSum{}) continue;
    read_sum_.Bind(1, audience);
    Result<bool> found = read_sum_.Step();
    if (!found.ok()) {
      read_sum_.Reset();
      return found.status();
    }
    wire::ScopeSum sum;
    if (*found) sum = SumFromColumns(read_sum_, 0);
    read_sum_.Reset();
    AddScopeSum(&sum, d);
    write_sum_.Bind(1, audience);
    BindScopeSum(write_sum_, 2, sum);
    Q11_RETURN_IF_ERROR(write_sum_.Run());
  }
  return Status::Ok();
}

Status ChangeLog::Finish() {
  if (!recorded_.empty()) Q11_RETURN_IF_ERROR(UpdateScopeSums());
  if (last_seq_ == stored_seq_) return Status::Ok();
  write_counter_.Bind(1, static_cast<int64_t>(last_seq_));
  Q11_RETURN_IF_ERROR(write_counter_.Run());
  stored_seq_ = last_seq_;
  return Status::Ok();
}

}  // namespace q11::server
