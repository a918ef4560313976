// The last values of every deleted synced row (table deleted_rows), kept when a row is
// deleted so that an admin can restore it: a device that changed a row the server had
// deleted meanwhile parks an update_deleted conflict, and "take device" brings the row back
// from here with the device's values on top (docs/conflicts.md).
//
// The row is stored as a JSON object made by SQLite (json_object) from the live row, and
// read back with json_extract, which keeps integers, reals, text and NULL apart.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "sync/sql_value.h"
#include "sync/table_shapes.h"

namespace q11::server {

class RowArchive {
 public:
  // REQUIRES: db (the write connection) and shapes outlive the archive.
  static Result<std::unique_ptr<RowArchive>> Create(SqlConn& db, const TableShapes& shapes);

  // Copies the live row (table, pk) into the archive. REQUIRES: the row exists, inside
  // the write transaction, before it is deleted.
  Status Save(const TableShape& shape, const Value& pk, std::string_view deleted_by,
              std::string_view deleted_at);
  // The archived values, one per column; nullopt when the row was never archived.
  Result<std::optional<std::vector<Value>>> Load(const TableShape& shape, std::string_view pk);

 private:
  struct TableStatements {
    SqlStmt save, load;
  };
  RowArchive() = default;
  std::map<std::string, TableStatements, std::less<>> tables_;
};

}  // namespace q11::server
