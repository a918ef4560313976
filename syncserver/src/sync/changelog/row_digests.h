// A synced row's digest (protocol/scope_digest.h) as a device holds the row after a pull.
//
// The pull copies each row through a scratch SQLite database made with the synced DDL
// (pull_builder.h), so what a device stores is the server's value after SQLite's column
// affinity: a PostgreSQL bigint in a TEXT column arrives as text, a whole REAL as a real.
// RowDigests copies the row the same way, through a scratch database of its own, and
// digests what SQLite stored there, so the server's checksums are a device's on both
// engines. On SQLite the server's own tables are made from the same DDL, so their values
// are digested as read.
//
// Thread safety: one RowDigests per connection, used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "protocol/scope_digest.h"
#include "store/sql/sql_conn.h"
#include "store/sqlite/sqlite_conn.h"
#include "sync/table_shapes.h"

namespace q11::server {

class RowDigests {
 public:
  // REQUIRES: `db` (a connection to the server database) and `shapes` outlive it.
  static Result<std::unique_ptr<RowDigests>> Create(SqlConn& db, const TableShapes& shapes);

  // The digest of the stored row `pk` of `table`; nullopt when there is no such row or the
  // table is not synced.
  Result<std::optional<wire::Digest128>> Of(std::string_view table, std::string_view pk);

  // The digest of a row of shapes().all()[table] whose values (in the shape's column
  // order) are the columns of `row`'s current row: for scans.
  Result<wire::Digest128> OfColumns(size_t table, const SqlStmt& row);

  // "SELECT <columns> FROM <table>" in the shape's column order, for OfColumns().
  std::string SelectAllSql(size_t table) const;

 private:
  struct Table {
    SqlStmt read;    // on the server database: the row by primary key
    SqlStmt insert;  // on the scratch database
    SqlStmt select;  // on the scratch database: the one row it holds
    SqlStmt clear;
  };
  RowDigests(const TableShapes& shapes) : shapes_(shapes) {}

  const TableShapes& shapes_;
  bool direct_ = false;  // the server database is SQLite: no scratch copy needed
  SqliteConn scratch_;
  std::vector<Table> tables_;
};

}  // namespace q11::server
