// The one SQL connection the server's storage code speaks, whichever database is behind
// it: SQLite (the embedded default, store/sqlite/sqlite_conn.h) or PostgreSQL
// (store/postgres/pg_conn.h).
//
// Why a seam this low: the push (validate, stamp, three-way merge, change log), the pull,
// the conflict queue and the monitoring reads are thousands of lines of careful code. Written
// once against SqlConn, they run unchanged on both backends, so the merge is written once
// and a fix lands for both. What differs between the engines stays in their folders:
// opening, schema, transactions and locking, durability, notifications.
//
// The SQL the callers write is the dialect both engines accept: `?N` parameters (SQLite's;
// the PostgreSQL side renumbers them `$N`), `ON CONFLICT ... DO NOTHING/UPDATE`,
// `coalesce`, `CAST(?N AS ...)` wherever PostgreSQL cannot infer a parameter's type from
// its use (`?N IS NULL`, a bare `SELECT ?N`). Types follow SQLite's names; the PostgreSQL
// schema maps INTEGER to bigint, REAL to double precision, BLOB to bytea.
//
// Thread safety: a connection and its statements belong to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "sync/sql_value.h"

namespace q11::server {

// What a backend implements for one prepared statement.
class SqlStmtImpl {
 public:
  virtual ~SqlStmtImpl() = default;
  // REQUIRES: v.defined(). Unless `copy`, `v` outlives the statement's next Step().
  virtual void BindValue(int i, const Value& v, bool copy) = 0;
  virtual Result<bool> Step() = 0;
  virtual void Reset() = 0;
  virtual int ColumnCount() const = 0;
  virtual Value Column(int col) const = 0;
};

// A prepared statement, reused across executions: bind (1-based), Step() until false (or
// Run()), Reset(). Columns are read from the current row (0-based).
class SqlStmt {
 public:
  SqlStmt() = default;
  explicit SqlStmt(std::unique_ptr<SqlStmtImpl> impl) : impl_(std::move(impl)) {}
  explicit operator bool() const { return impl_ != nullptr; }

  SqlStmt& Bind(int i, const Value& v) {
    impl_->BindValue(i, v, /*copy=*/true);
    return *this;
  }
  // As Bind, without copying text and blobs where the backend can: for the push's row
  // values. REQUIRES: `v` outlives the next Step().
  SqlStmt& BindRef(int i, const Value& v) {
    impl_->BindValue(i, v, /*copy=*/false);
    return *this;
  }
  SqlStmt& Bind(int i, int64_t v) { return Bind(i, Value::Integer(v)); }
  SqlStmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  SqlStmt& Bind(int i, double v);
  SqlStmt& Bind(int i, std::string_view text) { return Bind(i, Value::Text(text)); }
  SqlStmt& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  SqlStmt& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  SqlStmt& Bind(int i, const std::optional<std::string>& text) {
    return text ? Bind(i, std::string_view(*text)) : BindNull(i);
  }
  SqlStmt& Bind(int i, const std::optional<double>& v) { return v ? Bind(i, *v) : BindNull(i); }
  SqlStmt& BindBlob(int i, std::string_view blob);
  SqlStmt& BindNull(int i) { return Bind(i, Value::Null()); }

  // Steps once: true when a row is ready, false when done.
  Result<bool> Step() { return impl_->Step(); }
  // Steps to completion (for statements that return no rows), then resets.
  Status Run();
  // Resets and clears bindings so the statement can run again.
  void Reset() { impl_->Reset(); }

  int ColumnCount() const { return impl_->ColumnCount(); }
  Value Column(int col) const { return impl_->Column(col); }
  bool IsNull(int col) const { return Column(col).is_null(); }
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;  // "" for NULL; numbers as text
  std::optional<std::string> OptText(int col) const;
  std::optional<double> OptDouble(int col) const;
  std::string Blob(int col) const;  // the bytes of a blob (or text)

 private:
  std::unique_ptr<SqlStmtImpl> impl_;
};

// Steps `st` to the end, calling `row` on each row; resets it in every case.
template <typename F>
Status EachRow(SqlStmt& st, F row) {
  for (;;) {
    Result<bool> step = st.Step();
    if (!step.ok()) {
      st.Reset();
      return step.status();
    }
    if (!*step) break;
    row(st);
  }
  st.Reset();
  return Status::Ok();
}

enum class SqlDialect { kSqlite, kPostgres };

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  virtual SqlDialect dialect() const = 0;
  // Runs one or more statements without parameters or results.
  virtual Status Exec(std::string_view sql) = 0;
  virtual Result<SqlStmt> Prepare(std::string_view sql) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE run on this connection.
  virtual int64_t Changes() const = 0;
  // Rows changed by every INSERT, UPDATE and DELETE since the connection opened.
  virtual int64_t TotalChanges() const = 0;

  // A write transaction, serialised with every other writer of the database: SQLite's
  // BEGIN IMMEDIATE; on PostgreSQL, BEGIN and the store's write lock (pg_conn.h), which
  // every writing server takes, so merges never race and change-log sequences commit in
  // order.
  virtual Status BeginWrite() = 0;
  // A read transaction that sees one consistent state of the database throughout.
  virtual Status BeginRead() = 0;
  virtual Status Commit() = 0;
  // A no-op when no transaction is open.
  virtual void Rollback() = 0;

  // First column of the first row (nullopt: no row or NULL); for setup code.
  Result<std::optional<std::string>> QueryText(std::string_view sql);
};

// True when a write failed because the database's storage is full (SQLite's SQLITE_FULL,
// its max_page_count, PostgreSQL's disk_full): callers say whose storage is full.
bool IsStorageFull(const Status& s);

// BeginWrite() or BeginRead() now; rolled back on destruction unless Commit() succeeded.
class SqlTransaction {
 public:
  static Result<SqlTransaction> Write(SqlConn& conn);
  static Result<SqlTransaction> Read(SqlConn& conn);
  SqlTransaction(SqlTransaction&& o) noexcept : conn_(o.conn_) { o.conn_ = nullptr; }
  SqlTransaction& operator=(SqlTransaction&&) = delete;
  ~SqlTransaction() {
    if (conn_ != nullptr) conn_->Rollback();
  }
  Status Commit();

 private:
  explicit SqlTransaction(SqlConn* conn) : conn_(conn) {}
  SqlConn* conn_;
};

}  // namespace q11::server
