#include "audit/audit_log.h"

#include "audit/audit_chain.h"

namespace q11::server {

Result<std::unique_ptr<AuditLog>> AuditLog::Create(SqlConn& db) {
  std::unique_ptr<AuditLog> log(new AuditLog());
  Result<SqlStmt> last =
      db.Prepare("SELECT id, chain_hash FROM audit_log ORDER BY id DESC LIMIT 1");
  if (!last.ok()) return last.status();
  log->last_ = std::move(*last);
  Result<SqlStmt> st = db.Prepare(
      "INSERT INTO audit_log (id, at, actor, action, subject, details, content_hash, chain_hash)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st.ok()) return st.status();
  log->insert_ = std::move(*st);
  return log;
}

Status AuditLog::Record(std::string_view at, std::string_view actor, std::string_view action,
                        std::string_view subject, std::string_view details_json) {
  // The chain's end is read again in every write transaction, not cached: another
  // AuditLog on this connection, or another server on the same PostgreSQL database, may
  // have written since. Under the write lock nobody else appends meanwhile.
  int64_t id = 1;
  std::string previous(audit_chain::kGenesis);
  Result<bool> row = last_.Step();
  if (!row.ok()) {
    last_.Reset();
    return row.status();
  }
  if (*row) {
    id = last_.Int(0) + 1;
    if (!last_.IsNull(1)) previous = last_.Text(1);  // else the records before the chain
  }
  last_.Reset();
  const std::string content = audit_chain::ContentHash(actor, subject, details_json);
  const std::string chain = audit_chain::ChainHash(previous, id, at, action, content);
  insert_.Bind(1, id).Bind(2, at).Bind(3, actor).Bind(4, action).Bind(5, subject);
  insert_.Bind(6, details_json).Bind(7, content).Bind(8, chain);
  return insert_.Run();
}

}  // namespace q11::server
