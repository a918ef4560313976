// The conflict queue: one row per column that the device and the server both changed to
// different values and that no declared rule settled (conflict_rules.h). It keeps the
// base, device and server values and who pushed it, until an admin resolves it
// (resolved_at). Written inside the push transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"
#include "sql_value.h"

namespace q11::server {

struct ParkedColumn {
  std::string_view table;
  std::string_view pk;
  std::string_view column;
  const Value* base;
  const Value* device;
  const Value* server;
};

class ConflictLog {
 public:
  static Result<std::unique_ptr<ConflictLog>> Create(sql::Db& db);
  Status Record(const ParkedColumn& c, std::string_view user_id, std::string_view device_id,
                int64_t now_ms);

 private:
  ConflictLog() = default;
  sql::Statement insert_;
};

}  // namespace q11::server
