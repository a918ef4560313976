#include "audit/audit_log.h"

namespace q11::server {

Result<std::unique_ptr<AuditLog>> AuditLog::Create(SqlConn& db) {
  std::unique_ptr<AuditLog> log(new AuditLog());
  Result<SqlStmt> st = db.Prepare(
      "INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st.ok()) return st.status();
  log->insert_ = std::move(*st);
  return log;
}

Status AuditLog::Record(std::string_view at, std::string_view actor, std::string_view action,
                        std::string_view subject, std::string_view details_json) {
  insert_.Bind(1, at).Bind(2, actor).Bind(3, action).Bind(4, subject).Bind(5, details_json);
  return insert_.Run();
}

}  // namespace q11::server
