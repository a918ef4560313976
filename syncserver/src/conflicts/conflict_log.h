// The conflict queue: one conflict per row of a pushed entry that the three-way merge
// could not settle (docs/conflicts.md), with each conflicting column's base, device and
// server values, who pushed it from which device, and the row's change-log sequence at
// that moment (a resolution is refused once the row has changed again). Parking is
// audited. Written inside the push transaction; read and resolved by conflict_queries.h
// and conflict_resolver.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "sync/sql_value.h"
#include "syncserver/account.h"
#include "syncserver/conflict.h"

namespace q11::server {

struct ParkedColumn {
  int position;  // in the table
  std::string_view column;
  const Value* base;
  const Value* device;  // NULL for a parked delete
  const Value* server;
};

struct ParkedRow {
  std::string_view table;
  std::string_view pk;
  ConflictOp op = ConflictOp::kUpdate;
  std::string_view unit, assigned_unit;  // the report's, for the console's filter
  uint64_t row_seq = 0;
  std::vector<ParkedColumn> columns;
};

struct Pusher {
  const Account* account = nullptr;
  std::string_view device_id;
  uint64_t local_seq = 0;
  int64_t now_ms = 0;
};

class ConflictLog {
 public:
  // REQUIRES: db (the write connection) and audit outlive the log.
  static Result<std::unique_ptr<ConflictLog>> Create(SqlConn& db, AuditLog& audit);
  // Records one open conflict and its audit entry; returns the conflict's id.
  Result<std::string> Record(const ParkedRow& row, const Pusher& who);

 private:
  explicit ConflictLog(AuditLog& audit) : audit_(audit) {}
  AuditLog& audit_;
  SqlStmt insert_, insert_column_;
};

}  // namespace q11::server
