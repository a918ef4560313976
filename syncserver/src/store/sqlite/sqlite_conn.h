// SqlConn (store/sql/sql_conn.h) over one SQLite connection: how the shared storage code
// (push, merge, change log, pull, conflicts, monitoring) runs on the embedded database.
//
// The connection is owned here; SQLite-only code (sessions, transactions, WAL checkpoints,
// pragmas) reaches it through db().
#pragma once

#include "q11sqlite/sqlite.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

class SqliteConn final : public SqlConn {
 public:
  SqliteConn() = default;
  explicit SqliteConn(sql::Db db) : db_(std::move(db)) {}
  SqliteConn(SqliteConn&&) = default;
  SqliteConn& operator=(SqliteConn&&) = default;

  sql::Db& db() { return db_; }

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }
  Status Exec(std::string_view sql) override { return db_.Exec(sql); }
  Result<SqlStmt> Prepare(std::string_view sql) override;
  int64_t Changes() const override { return db_.Changes(); }
  int64_t TotalChanges() const override { return sqlite3_total_changes64(db_.get()); }
  Status BeginWrite() override { return Begin(begin_write_, "BEGIN IMMEDIATE"); }
  Status BeginRead() override { return Begin(begin_read_, "BEGIN"); }
  Status Commit() override { return RunCached(commit_, "COMMIT"); }
  void Rollback() override;

 private:
  // Prepared once: parsing BEGIN/COMMIT at every push showed in the benchmark.
  Status RunCached(sql::Statement& st, const char* sql);
  // RunCached, after rolling back a transaction that a failed ROLLBACK left open.
  Status Begin(sql::Statement& st, const char* sql);

  sql::Db db_;
  sql::Statement begin_write_, begin_read_, commit_, rollback_;
};

// Opens `path` as sql::Db::Open does.
Result<SqliteConn> OpenSqliteConn(const std::string& path, bool create = true);

}  // namespace q11::server
