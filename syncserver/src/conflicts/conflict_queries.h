// Reading the conflict queue for the admin: the list (with the console's filters) and one
// conflict in full, with its columns, the row's change-log sequence then and now, and the
// resolution once there is one. Read-only; runs on a read connection, or on the write
// connection inside the resolver's transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "syncserver/conflict.h"

namespace q11::server {

class ConflictQueries {
 public:
  // REQUIRES: db outlives the queries; one thread at a time.
  static Result<std::unique_ptr<ConflictQueries>> Create(SqlConn& db);

  // Newest first. `now_ms` is the reference for filter.min_age_hours.
  Result<std::vector<ConflictSummary>> List(const ConflictFilter& filter, int64_t now_ms);
  // kNotFound for an unknown id.
  Result<ConflictDetail> Get(std::string_view id);

 private:
  ConflictQueries() = default;
  SqlStmt list_, one_, columns_, row_seq_;
};

}  // namespace q11::server
