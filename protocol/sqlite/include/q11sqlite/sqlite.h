// RAII handles for SQLite shared by devicecore and syncserver: the connection, prepared
// statements, explicit transactions, sessions and changeset application with a conflict
// policy. Every SQLite error becomes a Status naming what was being done.
//
// Why one shared place: both sides read and write the same changeset format with the same
// session machinery, and the traps (the session API hidden behind macros, schema mismatches
// reported only through sqlite3_log) are handled here once.
//
// Thread safety: a Db and everything made from it belong to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"

namespace q11::sql {

// Status from an SQLite result code: busy/locked/ioerr/full → kUnavailable, corrupt/notadb →
// kDataLoss, constraint → kAlreadyExists (unique/primary key) or kFailedPrecondition, others
// kInternal. `what` says what was being done ("insert report").
Status FromSqlite(int rc, sqlite3* db, std::string_view what);

// True for the status of SQLITE_FULL: the disk is full, or the database reached its
// max_page_count. Callers turn it into a message that says whose storage is full.
bool IsStorageFull(const Status& s);

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* s) : stmt_(s) {}
  sqlite3_stmt* get() const { return stmt_.get(); }
  explicit operator bool() const { return stmt_ != nullptr; }

  // Binds are 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT).
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view text);
  Statement& Bind(int i, const char* text) { return Bind(i, std::string_view(text)); }
  Statement& Bind(int i, const std::string& text) { return Bind(i, std::string_view(text)); }
  Statement& Bind(int i, const std::optional<std::string>& text);
  Statement& Bind(int i, const std::optional<double>& v);
  Statement& BindBlob(int i, std::string_view blob);
  Statement& BindNull(int i);
  // For binds made with sqlite3_bind_* on get() directly: keeps the first failure (SQLite
  // out of memory copying a text), which the next Step() returns instead of running the
  // statement with that parameter NULL. The Bind methods above do this themselves.
  void NoteBind(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  // Steps once: true when a row is ready, false when done.
  Result<bool> Step();
  // Steps to completion (for statements that return no rows), then resets.
  Status Run();
  // Resets and clears bindings so the prepared statement can be reused.
  void Reset();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<double> OptDouble(int col) const;
  std::string Blob(int col) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  int bind_rc_ = SQLITE_OK;  // the first failed bind since the last Reset or Step
};

class Db {
 public:
  // Opens (creating when `create`) the database at path (":memory:" allowed), with
  // foreign keys off, a busy timeout, and the sqlite3_log hook that catches changeset
  // schema mismatches installed.
  static Result<Db> Open(const std::string& path, bool create = true, int busy_timeout_ms = 10000);
  Db() = default;
  sqlite3* get() const { return db_.get(); }

  // Runs one or more statements with no results.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  Status Error(int rc, std::string_view what) const { return FromSqlite(rc, get(), what); }
  int64_t Changes() const { return sqlite3_changes64(get()); }

  // A single-value query helper for setup code: first column of the first row.
  Result<std::optional<std::string>> QueryText(std::string_view sql);

 private:
  struct Closer {
    void operator()(sqlite3* d) const { sqlite3_close_v2(d); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
  // A Transaction's or Savepoint's ROLLBACK failed (SQLite out of memory) and left a
  // transaction open that nobody owns; the next Transaction::Begin rolls it back first.
  bool orphaned_transaction_ = false;
  friend class Transaction;
  friend class Savepoint;
};

// BEGIN (IMMEDIATE by default) now; ROLLBACK on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db, bool immediate = true);
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
};

// A named savepoint; rolled back (and released) on destruction unless Release() was called.
class Savepoint {
 public:
  static Result<Savepoint> Begin(Db& db, std::string name);
  Savepoint(Savepoint&& o) noexcept : db_(o.db_), name_(std::move(o.name_)) { o.db_ = nullptr; }
  ~Savepoint();
  Status Release();
  Status Rollback();  // rolls back and releases

 private:
  Savepoint(Db* db, std::string name) : db_(db), name_(std::move(name)) {}
  Db* db_;
  std::string name_;
};

// Records changes to the named tables of "main" from creation until Changeset().
class Session {
 public:
  static Result<Session> Create(Db& db, const std::vector<std::string>& tables);
  // The net changes so far as a changeset (empty when nothing changed).
  Result<std::string> Changeset();

 private:
  struct Deleter {
    void operator()(sqlite3_session* s) const { sqlite3session_delete(s); }
  };
  std::unique_ptr<sqlite3_session, Deleter> s_;
};

// What a conflict handler answers, as in sqlite3changeset_apply's xConflict.
enum class ConflictAction {
  kOmit = SQLITE_CHANGESET_OMIT,
  kReplace = SQLITE_CHANGESET_REPLACE,
  kAbort = SQLITE_CHANGESET_ABORT
};
// Called with the conflict kind (SQLITE_CHANGESET_DATA, _NOTFOUND, _CONFLICT, _CONSTRAINT,
// _FOREIGN_KEY) and the iterator positioned on the change.
using ConflictHandler = std::function<ConflictAction(int kind, sqlite3_changeset_iter* it)>;

// Applies a TRUSTED changeset (made by this program or already validated) to "main".
// Schema mismatches that SQLite only logs are turned into kFailedPrecondition; an abort
// from the handler is kAborted. The caller owns the surrounding transaction.
Status ApplyChangeset(Db& db, std::string_view changeset, const ConflictHandler& handler);

// The inverse of a changeset (inserts become deletes, updates swap old and new).
Result<std::string> InvertChangeset(std::string_view changeset);

// The table names a changeset touches, in order of first appearance. Walks it with the
// iterator only; returns kDataLoss for malformed bytes.
Result<std::vector<std::string>> ChangesetTables(std::string_view changeset);

// Value of an sqlite3_value as SQL-literal-free text for messages ("NULL", "42", "'abc'").
std::string DescribeValue(sqlite3_value* v);

}  // namespace q11::sql
