#include "conflicts/conflict_log.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "auth/secure_random.h"
#include "protocol/ids.h"

namespace q11::server {

Result<std::unique_ptr<ConflictLog>> ConflictLog::Create(SqlConn& db, AuditLog& audit) {
  std::unique_ptr<ConflictLog> log(new ConflictLog(audit));
  Result<SqlStmt> st = db.Prepare(
      "INSERT INTO conflicts (id, tbl, pk, op, unit, assigned_unit, user_id, user_name, "
      "device_id, local_seq, row_seq, created_at, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'open')");
  if (!st.ok()) return st.status();
  log->insert_ = std::move(*st);
  Result<SqlStmt> col = db.Prepare(
      "INSERT INTO conflict_columns (conflict_id, position, col, base_value, device_value, "
      "server_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!col.ok()) return col.status();
  log->insert_column_ = std::move(*col);
  return log;
}

Result<std::string> ConflictLog::Record(const ParkedRow& row, const Pusher& who) {
  std::string id = NewUuid7(who.now_ms);
  std::string created = FormatUtc(who.now_ms);
  insert_.Bind(1, id).Bind(2, row.table).Bind(3, row.pk).Bind(4, ConflictOpName(row.op));
  insert_.Bind(5, std::string(row.unit)).Bind(6, std::string(row.assigned_unit));
  insert_.Bind(7, who.account->id).Bind(8, who.account->name).Bind(9, who.device_id);
  insert_.Bind(10, static_cast<int64_t>(who.local_seq));
  insert_.Bind(11, static_cast<int64_t>(row.row_seq)).Bind(12, created);
  Q11_RETURN_IF_ERROR(insert_.Run());
  Poco::JSON::Array columns;
  for (const ParkedColumn& c : row.columns) {
    insert_column_.Bind(1, id).Bind(2, c.position).Bind(3, c.column);
    // A changeset UPDATE leaves unchanged columns undefined; store those as NULL.
    static const Value kNull = Value::Null();
    for (int i = 0; i < 3; ++i) {
      const Value* v = i == 0 ? c.base : i == 1 ? c.device : c.server;
      insert_column_.BindRef(4 + i, v != nullptr && v->defined() ? *v : kNull);
    }
    Q11_RETURN_IF_ERROR(insert_column_.Run());
    columns.add(std::string(c.column));
  }
  Poco::JSON::Object details;
  details.set("table", std::string(row.table));
  details.set("row", std::string(row.pk));
  details.set("operation", ConflictOpName(row.op));
  details.set("columns", columns);
  details.set("device_id", std::string(who.device_id));
  details.set("local_seq", static_cast<Poco::UInt64>(who.local_seq));
  details.set("row_seq", static_cast<Poco::UInt64>(row.row_seq));
  std::ostringstream json;
  details.stringify(json);
  Q11_RETURN_IF_ERROR(
      audit_.Record(created, who.account->name, "conflict.parked", "conflict/" + id, json.str()));
  return id;
}

}  // namespace q11::server
