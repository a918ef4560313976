// Row-level SQL on one synced table for the push: read a row by primary key, insert a
// whole row, update some columns. Statements are prepared once per table (and per set of
// updated columns) on the write connection and reused across requests.
//
// Why not sqlite3changeset_apply: the server merges column by column, stamps columns and
// records the change log as it goes, and never hands client bytes to the apply code.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "sync/sql_value.h"
#include "sync/table_shapes.h"

namespace q11::server {

class TableWriter {
 public:
  // REQUIRES: `db` and `shape` outlive the writer.
  static Result<std::unique_ptr<TableWriter>> Create(SqlConn& db, const TableShape& shape);

  const TableShape& shape() const { return shape_; }

  // Reads the row with primary key `pk` into *row (one Value per column). False when absent.
  Result<bool> Read(const Value& pk, std::vector<Value>* row);
  // Inserts a whole row unless its primary key is taken: false then, and nothing
  // changed. kFailedPrecondition for other constraint failures (NOT NULL, ...).
  Result<bool> Insert(const std::vector<Value>& row);
  // Sets `columns` of the row with primary key `pk` to their values in `row`.
  // REQUIRES: columns non-empty, each < column count, none the primary key.
  Status Update(const Value& pk, const std::vector<int>& columns, const std::vector<Value>& row);
  // Deletes the row with primary key `pk` (nothing when absent).
  Status Delete(const Value& pk);

 private:
  TableWriter(SqlConn& db, const TableShape& shape) : db_(db), shape_(shape) {}
  Result<SqlStmt*> UpdateStatement(const std::vector<int>& columns);

  SqlConn& db_;
  const TableShape& shape_;
  SqlStmt select_;
  SqlStmt insert_;
  SqlStmt delete_;
  std::map<uint64_t, SqlStmt> updates_;  // by bit set of updated columns
};

}  // namespace q11::server
