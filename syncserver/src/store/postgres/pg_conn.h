// SqlConn (store/sql/sql_conn.h) over one PostgreSQL connection: how the shared storage code
// (push, merge, change log, pull, conflicts, monitoring) runs on PostgreSQL.
//
// The SQL is the shared dialect: `?N` becomes `$N` when a statement is prepared, and each
// parameter's type is the one PostgreSQL infers from its use (PQdescribePrepared), so a
// value is sent as that type's text. Results come back as text and are turned into Values
// by their column type (bigint → integer, double precision → real, text → text).
//
// SQLite lets a column hold any type; the server relies on that in one place (a parked
// conflict's base, device and server values). Those columns are jsonb here: a value bound
// to a jsonb parameter is written as JSON (a number, a string, {"blob": hex} for bytes),
// and read back as the same kind of value, so what goes in as an integer comes back as one.
//
// A connection PostgreSQL dropped (a restart, a failover) is reset at the next use, and
// statements are prepared again on the new one, so servers outlive their database's
// restarts (test "Cluster: PostgreSQL restarts under the servers...").
//
// Writes: BeginWrite() takes the store's write lock, pg_advisory_xact_lock(kWriteLockKey),
// held to COMMIT. Every server's writer takes it, so writes of all servers are serial: a
// merge always reads the row as last committed (no lost update), the change log's counter
// (meta.last_seq) hands out sequences in commit order (a pull never skips a row that
// commits late: PostgreSQL makes a commit visible before it releases its locks), and the
// idempotency ledger is read and written by one writer at a time. A write that changed
// rows sends one NOTIFY on kChangesChannel with its COMMIT, which wakes the long polls of
// every server (pg_store.cc).
//
// Thread safety: one thread at a time, as a PGconn.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/postgres/connection.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

inline constexpr int64_t kWriteLockKey = 0x7131315f77726974;  // "q11_writ"
inline constexpr const char* kChangesChannel = "q11_changes";

class PgConn final : public SqlConn {
 public:
  static Result<std::unique_ptr<PgConn>> Open(std::string_view url);
  explicit PgConn(pg::Connection conn) : conn_(std::move(conn)) {}

  pg::Connection& connection() { return conn_; }

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  Status Exec(std::string_view sql) override;
  Result<SqlStmt> Prepare(std::string_view sql) override;
  int64_t Changes() const override { return changes_; }
  int64_t TotalChanges() const override { return total_changes_; }
  Status BeginWrite() override;
  Status BeginRead() override;
  Status Commit() override;
  void Rollback() override;

  // A statement prepared on this connection (PgStmt's view of it).
  struct Prepared {
    std::string name;
    std::string sql;             // as sent to PostgreSQL ($N)
    std::vector<pg::Oid> types;  // by $N - 1
    std::vector<int> slots;      // SQLite's parameter number → $N (0: unused)
    int generation = -1;         // the connection generation it was prepared on
  };

  // For PgStmt: reconnects when the connection was lost (see below), and prepares `p` on
  // this connection again when it was prepared on an earlier one.
  Status EnsurePrepared(Prepared& p);

  // For PgStmt: the rows a statement just changed.
  void NoteChanges(int64_t n) {
    changes_ = n;
    total_changes_ += n;
  }

 private:
  pg::Connection conn_;
  int64_t changes_ = 0, total_changes_ = 0;
  int64_t changes_at_begin_ = -1;  // >= 0 inside a write transaction
  int next_statement_ = 0;
  // A lost connection (PostgreSQL restarted, failed over, a network cut) is opened again
  // at the next use outside a transaction: the transaction it was in is gone anyway, and
  // its caller has an Unavailable error (devices send again). Server-side prepared
  // statements die with the connection: each generation prepares them anew, lazily.
  Status EnsureConnected();
  Status PrepareOnServer(Prepared& p);
  int generation_ = 0;
  bool in_transaction_ = false;  // between Begin*() and Commit()/Rollback()
  // Prepared once per connection and SQL text: code that prepares per call (the audit)
  // must not leave a new server-side statement behind each time.
  std::unordered_map<std::string, Prepared> prepared_;
};

// `?N` and `?` parameters as PostgreSQL's `$N` (outside quotes and comments), numbered
// densely in order of first use: PostgreSQL must know the type of every $N up to the
// highest, and SQL written for SQLite may skip numbers (?10 with no ?2). `slots`, when
// given, gets for each SQLite parameter number (1-based index) its $N, or 0 when unused.
std::string ToPostgresParameters(std::string_view sql, std::vector<int>* slots = nullptr);

}  // namespace q11::server
