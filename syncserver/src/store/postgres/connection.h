// A thin RAII wrapper over libpq, the PostgreSQL client library (docs/postgres.md).
//
// Every libpq handle is owned by a unique_ptr with its own deleter (PQfinish, PQclear,
// PQfreemem), so nothing leaks on an early return. Failures are q11::Status values, never
// exceptions, and carry the server's message and SQLSTATE:
//   - connection refused / lost, too many connections, admin shutdown: kUnavailable;
//   - serialization failure (40001) and deadlock (40P01): kAborted, IsRetryable() is true
//     (run the whole transaction again: RunTransaction does);
//   - unique violation (23505): kAlreadyExists; a malformed URL: kInvalidArgument;
//   - anything else the server refuses: kInternal.
//
// Parameters always travel as text with an explicit type OID (no guessing by the server,
// no binary formats to get wrong); results come back as text. Prepared statements are named
// and prepared on first use per connection, then reused (Statement below).
//
// Thread safety: a Connection is used by one thread at a time (as a PGconn is).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/result.h"

// libpq's types, declared here so that users of this header need not include libpq-fe.h.
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace q11::pg {

using Oid = unsigned int;
// Type OIDs of the parameters we send (pg_type.dat; stable across releases).
inline constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt4 = 23, kText = 25, kBoolArray = 1000,
                     kInt4Array = 1007, kTextArray = 1009, kInt8Array = 1016, kTimestamptz = 1184;

// One parameter: its type and its value as text (nullopt = SQL NULL).
struct Param {
  Oid type = kText;
  std::optional<std::string> text;

  static Param Text(std::string_view s) { return {kText, std::string(s)}; }
  static Param Int8(int64_t v) { return {kInt8, std::to_string(v)}; }
  static Param Int4(int32_t v) { return {kInt4, std::to_string(v)}; }
  static Param Bool(bool v) { return {kBool, v ? "t" : "f"}; }
  static Param Null(Oid type) { return {type, std::nullopt}; }
  // Bytes of any content, sent as bytea's hex text form (\x...).
  static Param Bytea(std::string_view bytes);
  // Arrays as array literals ({"a","b"}), each element quoted and escaped.
  static Param TextArray(const std::vector<std::string>& v);
  static Param Int8Array(const std::vector<int64_t>& v);
  static Param Int4Array(const std::vector<int32_t>& v);
  static Param BoolArray(const std::vector<bool>& v);
};

// A named statement: prepared on a connection the first time it runs there, then reused.
// `types` gives each $n's type (their count is the number of parameters).
struct Statement {
  std::string name;
  std::string sql;
  std::vector<Oid> types;
};

struct ResultDeleter {
  void operator()(PGresult* r) const;
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// The rows a statement returned, as text. Row and column numbers start at 0.
class Rows {
 public:
  explicit Rows(ResultPtr res) : res_(std::move(res)) {}
  int size() const;
  int columns() const;
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const;
  std::string_view Text(int row, int col) const;  // "" for NULL
  // Numbers and booleans parsed from their text form; kInternal when the text is not one.
  Result<int64_t> Int8(int row, int col) const;
  Result<bool> Bool(int row, int col) const;
  // The bytes of a bytea column (hex text form decoded).
  Result<std::string> Bytea(int row, int col) const;
  // Rows changed by INSERT/UPDATE/DELETE (PQcmdTuples), 0 when not such a statement.
  int64_t affected() const;
  // The command tag (PQcmdStatus): "INSERT 0 1", "COMMIT", "ROLLBACK"...
  std::string_view command() const;

 private:
  ResultPtr res_;
};

// A NOTIFY received by a listening connection.
struct Notification {
  std::string channel;
  std::string payload;
  int sender_pid = 0;
};

struct ConnectOptions {
  std::chrono::seconds connect_timeout{10};
  std::string application_name = "q11-syncserver";
};

class Connection {
 public:
  // Connects to `url` (postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?param=value...]).
  // Errors: kInvalidArgument for a URL libpq cannot parse or that is no postgresql:// URL,
  // kUnavailable when the server cannot be reached or refuses the login. Messages name the
  // URL without its password.
  static Result<Connection> Open(std::string_view url, const ConnectOptions& options = {});

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Runs one or more statements without parameters (simple query protocol: DDL, BEGIN...).
  Status Exec(std::string_view sql);
  // Runs one statement with parameters (unnamed, not kept).
  Result<Rows> Query(std::string_view sql, std::initializer_list<Param> params = {});
  Result<Rows> Query(std::string_view sql, const std::vector<Param>& params);
  // Runs a named statement, preparing it on this connection the first time. A name already
  // prepared here with other SQL is kInvalidArgument.
  Result<Rows> Run(const Statement& st, std::initializer_list<Param> params = {});
  Result<Rows> Run(const Statement& st, const std::vector<Param>& params);

  // LISTEN on `channel` (any name: it is quoted as an identifier).
  Status Listen(std::string_view channel);
  Status Unlisten(std::string_view channel);
  // NOTIFY `channel` with `payload` (pg_notify: delivered at this transaction's COMMIT, or
  // at once outside a transaction). Payloads are limited to 8000 bytes by the server.
  Status Notify(std::string_view channel, std::string_view payload);
  // Waits up to `timeout` for notifications on the channels this connection listens to and
  // returns those that arrived (empty at the timeout). REQUIRES: not inside a transaction
  // (notifications are delivered between transactions).
  Result<std::vector<Notification>> WaitForNotifications(std::chrono::milliseconds timeout);

  // True between BEGIN and COMMIT/ROLLBACK (also when the transaction has failed).
  bool InTransaction() const;
  // The server process's id (pg_backend_pid), e.g. to tell own notifications apart.
  int backend_pid() const;
  // The URL without its password, for messages.
  const std::string& safe_url() const { return safe_url_; }
  // For what this wrapper does not cover. The connection stays owned by this object.
  PGconn* raw() const { return conn_.get(); }

 private:
  struct ConnDeleter {
    void operator()(PGconn* c) const;
  };
  Connection(std::unique_ptr<PGconn, ConnDeleter> conn, std::string safe_url)
      : conn_(std::move(conn)), safe_url_(std::move(safe_url)) {}
  Result<Rows> Check(ResultPtr res, std::string_view what);
  Result<Rows> Execute(const char* sql, const std::vector<Param>& params, const Oid* types);

  std::unique_ptr<PGconn, ConnDeleter> conn_;
  std::string safe_url_;
  std::unordered_map<std::string, std::string> prepared_;  // name -> sql
};

// The Status of a failed libpq call (`res` may be null): the server's message and SQLSTATE,
// mapped as this header's first paragraph says.
Status StatusFromResult(const PGresult* res, PGconn* conn, std::string_view what);

// True for the failures a transaction should simply be run again after: serialization
// failure (40001) and deadlock (40P01).
bool IsRetryable(const Status& s);

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

// An explicit BEGIN ... COMMIT. The guard rolls back when it goes out of scope without a
// Commit() (an early return on error), so a connection never stays inside a transaction.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn, Isolation iso = Isolation::kReadCommitted);
  Transaction(Transaction&& o) noexcept : conn_(o.conn_) { o.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Connection& conn() { return *conn_; }
  // COMMIT. A COMMIT of a transaction in which a statement had failed rolls back instead
  // (the server answers ROLLBACK): that is kAborted, not success. Either way the guard is
  // done afterwards.
  Status Commit();
  Status Rollback();
  bool active() const { return conn_ != nullptr; }

 private:
  explicit Transaction(Connection& c) : conn_(&c) {}
  Connection* conn_;
};

// Runs `body` in a transaction and commits it; when the body or the COMMIT fails with a
// retryable error (IsRetryable), runs everything again, up to `attempts` times in all,
// with a short randomised pause. The body must only touch the database and its outputs.
Status RunTransaction(Connection& conn, Isolation iso,
                      const std::function<Status(Transaction&)>& body, int attempts = 5);

}  // namespace q11::pg
