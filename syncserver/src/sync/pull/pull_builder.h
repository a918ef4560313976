// The pull half of a sync: the rows changed after a device's cursor that its account may
// see, as a real SQLite changeset.
//
// The page is read from row_audience by (audience, seq), so a device reads only entries
// of its own audiences and never scans other devices' changes. The rows are copied from
// the live tables into a scratch in-memory database (same synced schema) under a session;
// the session's changeset is the pull. A deleted row becomes a DELETE (a tombstone): it is
// put in the scratch database before the session starts and deleted under it. A row the
// pulling device inserted itself, and which the server only stamped (row_log.echo_base,
// echo_base.h), is put there as the device holds it and updated to the stored row under
// the session: it becomes an UPDATE of just the stamped columns.
//
// Thread safety: one PullBuilder per read connection, used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "store/sqlite/sqlite_conn.h"
#include "sync/table_shapes.h"
#include "syncserver/store.h"

namespace q11::server {

class PullBuilder {
 public:
  // REQUIRES: `db` (a read connection to the server database) and `shapes` outlive it.
  static Result<std::unique_ptr<PullBuilder>> Create(SqlConn& db, const TableShapes& shapes);

  // Rows with seq > cursor filed under any of `audiences` (1-4 of them), oldest first, at
  // most `limit`, leaving out rows whose latest version is `device_id`'s own echo-suppressed
  // write (change_log.h). REQUIRES: limit > 0. A complete page (!has_more) carries each
  // audience's scope checksum (scope_sums.h), read in the same snapshot as the rows.
  // `with_builtin_reference`: from cursor 0, also carry the built-in reference rows no
  // change has logged (unlogged_ref, scope_sums.h), which the "ref" checksum counts: a
  // device repairing its "ref" scope from a scope-only pull gets every row the sum covers.
  Result<PullPage> Build(const std::vector<std::string>& audiences, uint64_t cursor, uint32_t limit,
                         std::string_view device_id = {}, bool with_builtin_reference = false);

  // Whether Build() would find any row (one indexed probe; for long-polling devices), or
  // `cursor` is past the change log's end (the server was restored: the device must sync).
  Result<bool> HasChanges(const std::vector<std::string>& audiences, uint64_t cursor,
                          std::string_view device_id);

 private:
  struct Entry {
    uint64_t seq;
    int table;  // index into shapes_.all()
    std::string pk;
    bool deleted;
    std::string echo_base;  // non-empty: the device holds the row but for these columns
  };
  struct TableCopy {
    SqlStmt read;    // on the server database: the row by primary key
    SqlStmt insert;  // on the scratch database
    SqlStmt update;  // on the scratch database: every column, by primary key
    SqlStmt remove;  // on the scratch database
    SqlStmt clear;   // on the scratch database: DELETE every row
  };

  PullBuilder(SqlConn& db, const TableShapes& shapes) : db_(db), shapes_(shapes) {}
  Status OpenScratch();
  Result<SqlStmt*> PageStatement(size_t audience_count);
  // `audiences`, without the reference audience (last, access_scope.h) when it has nothing
  // after `cursor`. The result lives until the next call.
  Result<const std::vector<std::string>*> Effective(const std::vector<std::string>& audiences,
                                                    uint64_t cursor);
  Status ReadPage(const std::vector<std::string>& audiences, uint64_t cursor, uint32_t limit,
                  std::string_view device_id, PullPage* page);
  // Puts the unlogged built-in reference rows first in entries_ (see Build()).
  Status AddBuiltinReference();
  Result<std::string> MakeChangeset(uint32_t* rows);
  Status ReadScopeSums(const std::vector<std::string>& audiences, PullPage* page);
  // Copies the live row of `e` into the scratch database with `into` (insert or update),
  // the columns of `base` (an echo_base) replaced by its values. False when the row is
  // gone.
  Result<bool> CopyRow(const Entry& e, SqlStmt& into, std::string_view base = {});
  // Binds PageStatement's parameters.
  static Status BindPage(SqlStmt& q, const std::vector<std::string>& audiences, uint64_t cursor,
                         uint32_t limit, std::string_view device_id);
  // Keeps only the last entry of each row in entries_.
  void DropSupersededRemovals();

  SqlConn& db_;
  const TableShapes& shapes_;
  SqliteConn scratch_;
  std::vector<TableCopy> copies_;
  std::vector<std::string> table_names_;
  std::map<size_t, SqlStmt> page_by_count_;
  SqlStmt last_seq_;
  SqlStmt reference_after_;
  SqlStmt unlogged_reference_;
  SqlStmt scope_sum_;
  std::vector<std::string> own_;
  std::vector<Entry> entries_;  // reused between pulls
  std::vector<std::string> session_tables_;
};

}  // namespace q11::server
