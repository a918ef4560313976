#include "sync/push/entry_retries.h"

namespace q11::server {

Result<std::unique_ptr<EntryRetries>> EntryRetries::Create(SqlConn& db) {
  std::unique_ptr<EntryRetries> r(new EntryRetries());
  Result<SqlStmt> find =
      db.Prepare("SELECT attempts FROM entry_retries WHERE device_id = ?1 AND local_seq = ?2");
  if (!find.ok()) return find.status();
  Result<SqlStmt> upsert = db.Prepare(
      "INSERT INTO entry_retries (device_id, local_seq, attempts, last_error, last_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device_id, local_seq) DO UPDATE SET "
      "attempts = excluded.attempts, last_error = excluded.last_error, last_at = excluded.last_at");
  if (!upsert.ok()) return upsert.status();
  r->find_ = std::move(*find);
  r->upsert_ = std::move(*upsert);
  return r;
}

Result<int> EntryRetries::Attempts(std::string_view device_id, uint64_t local_seq) {
  find_.Bind(1, device_id).Bind(2, static_cast<int64_t>(local_seq));
  Result<bool> row = find_.Step();
  int n = row.ok() && *row ? static_cast<int>(find_.Int(0)) : 0;
  find_.Reset();
  if (!row.ok()) return row.status();
  return n;
}

Status EntryRetries::Record(std::string_view device_id, uint64_t local_seq, int attempts,
                            std::string_view error, std::string_view at) {
  upsert_.Bind(1, device_id)
      .Bind(2, static_cast<int64_t>(local_seq))
      .Bind(3, attempts)
      .Bind(4, error)
      .Bind(5, at);
  return upsert_.Run();
}

}  // namespace q11::server
