// The live shape of each synced table (column names, which columns form the primary key),
// read once with PRAGMA table_info and cached.
//
// A changeset names a table and carries its column count and primary-key flags; SQLite
// matches columns by position only. Every pushed change is checked against these shapes
// before anything else, and the writer and the pull builder make their SQL from them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "q11sqlite/changeset_shape_check.h"
#include "q11sqlite/sqlite.h"
#include "sync/sql_value.h"

namespace q11::server {

struct TableShape {
  std::string name;
  std::vector<std::string> columns;
  std::vector<bool> pk;  // per column
  int pk_column = -1;    // the single primary-key column (every synced table has one)
  // Per column, the value an INSERT that lacks the column gets (its DEFAULT, else NULL): a
  // row captured under an older schema version (schema_upgrade.h).
  std::vector<Value> defaults;

  // Position of `column`, or -1.
  int Index(std::string_view column) const;
};

class TableShapes {
 public:
  // Reads the synced tables (q11::schema::kSyncedTables) from `db`. kFailedPrecondition
  // when one is missing or has no single-column primary key.
  static Result<TableShapes> Load(sql::Db& db);

  // nullptr for a table that is not synced.
  const TableShape* Find(std::string_view table) const;
  const std::vector<TableShape>& all() const { return tables_; }
  // The same shapes for the shared changeset shape check (changeset_shape_check.h).
  const sql::SyncableTables& layouts() const { return layouts_; }

 private:
  std::vector<TableShape> tables_;
  sql::SyncableTables layouts_;
};

}  // namespace q11::server
