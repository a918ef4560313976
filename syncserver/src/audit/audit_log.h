// The audit trail of conflict handling: one append-only row per event (a conflict parked,
// a conflict resolved, a row deleted), with when, who (a user or admin name), what
// (action), on what (subject, e.g. "conflict/<id>") and the details as a JSON object.
// Written inside the transaction that does the thing, so the trail and the data agree.
// Each row is chained to the one before by hash (audit_chain.h); the write lock every
// writer holds (one per engine, also across servers on PostgreSQL) keeps the chain a line.
//
// Actions: conflict.parked, conflict.resolved, row.deleted (docs/conflicts.md, "Audit"),
// sync.push (each push's verdicts), the security and admin actions (security_audit.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

class AuditLog {
 public:
  // REQUIRES: db (the write connection) outlives the log.
  static Result<std::unique_ptr<AuditLog>> Create(SqlConn& db);

  // `details_json` must be a JSON object. REQUIRES: inside the write transaction.
  Status Record(std::string_view at, std::string_view actor, std::string_view action,
                std::string_view subject, std::string_view details_json);

 private:
  AuditLog() = default;
  SqlStmt last_;
  SqlStmt insert_;
};

}  // namespace q11::server
