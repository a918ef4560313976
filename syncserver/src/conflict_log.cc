#include "conflict_log.h"

#include "protocol/ids.h"
#include "secure_random.h"

namespace q11::server {

Result<std::unique_ptr<ConflictLog>> ConflictLog::Create(sql::Db& db) {
  std::unique_ptr<ConflictLog> log(new ConflictLog());
  Result<sql::Statement> st = db.Prepare(
      "INSERT INTO conflicts (id, tbl, pk, col, base_value, device_value, server_value, user_id, "
      "device_id, "
      "created_at, resolved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL)");
  if (!st.ok()) return st.status();
  log->insert_ = std::move(*st);
  return log;
}

Status ConflictLog::Record(const ParkedColumn& c, std::string_view user_id,
                           std::string_view device_id, int64_t now_ms) {
  std::string id = NewUuid7(now_ms);
  std::string created = FormatUtc(now_ms);
  insert_.Bind(1, id).Bind(2, c.table).Bind(3, c.pk).Bind(4, c.column);
  BindValue(insert_.get(), 5, *c.base);
  BindValue(insert_.get(), 6, *c.device);
  BindValue(insert_.get(), 7, *c.server);
  insert_.Bind(8, user_id).Bind(9, device_id).Bind(10, created);
  return insert_.Run();
}

}  // namespace q11::server
