#include "store/sql/history_pruner.h"

#include "audit/audit_chain.h"
#include "protocol/ids.h"

namespace q11::server {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000LL;

// Runs a DELETE or UPDATE; the rows it changed.
Result<int64_t> DeleteWhere(SqlConn& db, const char* sql, const std::string& cutoff,
                            int64_t batch) {
  Result<SqlStmt> st = db.Prepare(sql);
  if (!st.ok()) return st.status();
  st->Bind(1, cutoff).Bind(2, batch);
  Q11_RETURN_IF_ERROR(st->Run());
  return db.Changes();
}

}  // namespace

Result<HistoryPruner::Pruned> HistoryPruner::PruneOnce(int64_t batch) {
  const int64_t now = clock_ms_();
  Pruned out;
  Status s = writer_.Write([&](SqlConn& db) -> Status {
    if (retention_.ledger_days > 0) {
      // Both times are FormatUtc strings, which sort as the times do.
      Result<int64_t> n =
          DeleteWhere(db,
                      "DELETE FROM applied_batches WHERE (device_id, local_seq) IN ("
                      " SELECT a.device_id, a.local_seq FROM applied_batches a"
                      " JOIN devices d ON d.device_id = a.device_id"
                      " WHERE a.recorded_at < ?1 AND d.last_seen > a.recorded_at LIMIT ?2)",
                      FormatUtc(now - retention_.ledger_days * kDayMs), batch);
      if (!n.ok()) return n.status();
      out.ledger_rows = *n;
    }
    if (retention_.audit_days > 0) {
      // Chained rows keep their place and hashes, only their content goes (audit_chain.h);
      // rows from before the chain are deleted.
      const std::string cutoff = FormatUtc(now - retention_.audit_days * kDayMs);
      const std::string old =
          "SELECT id FROM audit_log WHERE at < ?1 AND pruned = 0 AND action IN (" +
          audit_chain::PrunableActionsSql() + ")";
      Result<int64_t> erased =
          DeleteWhere(db,
                      ("UPDATE audit_log SET actor = '', subject = '', details = '{}', pruned = 1 "
                       "WHERE id IN (" +
                       old + " AND chain_hash IS NOT NULL ORDER BY id LIMIT ?2)")
                          .c_str(),
                      cutoff, batch);
      if (!erased.ok()) return erased.status();
      Result<int64_t> deleted = DeleteWhere(db,
                                            ("DELETE FROM audit_log WHERE id IN (" + old +
                                             " AND chain_hash IS NULL ORDER BY id LIMIT ?2)")
                                                .c_str(),
                                            cutoff, batch);
      if (!deleted.ok()) return deleted.status();
      out.audit_rows = *erased + *deleted;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<HistoryPruner::Pruned> HistoryPruner::PruneAll(int64_t batch) {
  Pruned total;
  for (;;) {
    Result<Pruned> p = PruneOnce(batch);
    if (!p.ok()) return p.status();
    total.ledger_rows += p->ledger_rows;
    total.audit_rows += p->audit_rows;
    if (p->ledger_rows < batch && p->audit_rows < batch) return total;
  }
}

}  // namespace q11::server
