#include "sync/push/verdict_ledger.h"

namespace q11::server {

Result<std::unique_ptr<VerdictLedger>> VerdictLedger::Create(SqlConn& db) {
  std::unique_ptr<VerdictLedger> l(new VerdictLedger());
  Result<SqlStmt> find = db.Prepare(
      "SELECT verdict, server_seq, message FROM applied_batches WHERE device_id = ?1 AND local_seq "
      "= ?2");
  if (!find.ok()) return find.status();
  Result<SqlStmt> insert = db.Prepare(
      "INSERT INTO applied_batches (device_id, local_seq, verdict, server_seq, message, user_id, "
      "recorded_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!insert.ok()) return insert.status();
  l->find_ = std::move(*find);
  l->insert_ = std::move(*insert);
  return l;
}

Result<std::optional<wire::EntryVerdict>> VerdictLedger::Find(std::string_view device_id,
                                                              uint64_t local_seq) {
  find_.Bind(1, device_id).Bind(2, static_cast<int64_t>(local_seq));
  Result<bool> row = find_.Step();
  if (!row.ok()) return row.status();
  std::optional<wire::EntryVerdict> out;
  if (*row) {
    wire::EntryVerdict v;
    v.local_seq = local_seq;
    v.verdict = static_cast<wire::Verdict>(find_.Int(0));
    v.server_seq = static_cast<uint64_t>(find_.Int(1));
    v.message = find_.Text(2);
    out = std::move(v);
  }
  find_.Reset();
  return out;
}

Status VerdictLedger::Record(std::string_view device_id, const wire::EntryVerdict& v,
                             std::string_view user_id, std::string_view recorded_at) {
  insert_.Bind(1, device_id)
      .Bind(2, static_cast<int64_t>(v.local_seq))
      .Bind(3, static_cast<int64_t>(v.verdict))
      .Bind(4, static_cast<int64_t>(v.server_seq))
      .Bind(5, v.message)
      .Bind(6, user_id)
      .Bind(7, recorded_at);
  return insert_.Run();
}

}  // namespace q11::server
