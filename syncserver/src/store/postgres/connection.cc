#include "store/postgres/connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <random>
#include <thread>

namespace q11::pg {
namespace {

struct FreeMem {
  void operator()(void* p) const { PQfreemem(p); }
};
struct ConninfoFree {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
struct NotifyFree {
  void operator()(PGnotify* n) const { PQfreemem(n); }
};

// libpq's messages end with a newline (sometimes several lines): one line is enough here.
std::string Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

// The URL with its password (user:PASSWORD@ or ?password=...) replaced by "***".
std::string SafeUrl(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = out.find_first_of("/?", start);
    const size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at > start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  const size_t pw = out.find("password=");
  if (pw != std::string::npos) {
    const size_t end = out.find('&', pw);
    out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
  }
  return out;
}

}  // namespace

Status StatusFromResult(const PGresult* res, PGconn* conn, std::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* detail = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : nullptr;
  std::string msg(what);
  msg += ": ";
  if (primary != nullptr) {
    msg += primary;
    if (detail != nullptr) msg += std::string(" (") + detail + ")";
  } else {
    std::string text = res != nullptr ? Trim(PQresultErrorMessage(res)) : "";
    if (text.empty()) text = Trim(PQerrorMessage(conn));  // libpq's own, e.g. a lost connection
    msg += text;
  }
  if (state == nullptr) {
    // No SQLSTATE: a client-side failure, most often a connection that broke.
    if (PQstatus(conn) == CONNECTION_BAD) return Unavailable(msg + " (connection lost)");
    return Internal(msg);
  }
  const std::string_view code(state);
  msg += " (SQLSTATE " + std::string(code) + ")";
  if (code == "40001" || code == "40P01") return Aborted(msg);
  if (code == "23505") return AlreadyExists(msg);
  // Other integrity violations and bad values (a text where a number belongs): as SQLite's
  // constraint failures, the caller refuses the change.
  if (code.substr(0, 2) == "23" || code.substr(0, 2) == "22") return FailedPrecondition(msg);
  if (code == "53100") return Unavailable(msg);  // disk full: IsStorageFull (sql_conn.h)
  if (code.substr(0, 2) == "08" || code == "53300" || code == "57P01" || code == "57P02" ||
      code == "57P03") {
    return Unavailable(msg);
  }
  return Internal(msg);
}

namespace {

std::string QuoteArrayElement(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

template <typename T, typename F>
std::string ArrayLiteral(const std::vector<T>& v, F element) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    out += element(v[i]);
  }
  out += '}';
  return out;
}

}  // namespace

// ---- Param ----

Param Param::Bytea(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "\\x";
  s.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return {kBytea, std::move(s)};
}
Param Param::TextArray(const std::vector<std::string>& v) {
  return {kTextArray, ArrayLiteral(v, [](const std::string& s) { return QuoteArrayElement(s); })};
}
Param Param::Int8Array(const std::vector<int64_t>& v) {
  return {kInt8Array, ArrayLiteral(v, [](int64_t x) { return std::to_string(x); })};
}
Param Param::Int4Array(const std::vector<int32_t>& v) {
  return {kInt4Array, ArrayLiteral(v, [](int32_t x) { return std::to_string(x); })};
}
Param Param::BoolArray(const std::vector<bool>& v) {
  std::string out = "{";
  for (size_t i = 0; i < v.size(); ++i) out += (i > 0 ? "," : "") + std::string(v[i] ? "t" : "f");
  return {kBoolArray, out + "}"};
}

// ---- Rows ----

void ResultDeleter::operator()(PGresult* r) const { PQclear(r); }

int Rows::size() const { return PQntuples(res_.get()); }
int Rows::columns() const { return PQnfields(res_.get()); }
bool Rows::IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
std::string_view Rows::Text(int row, int col) const {
  return {PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col))};
}
Result<int64_t> Rows::Int8(int row, int col) const {
  const std::string_view t = Text(row, col);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty()) {
    return Internal("column " + std::to_string(col) + " is not an integer: '" + std::string(t) +
                    "'");
  }
  return v;
}
Result<bool> Rows::Bool(int row, int col) const {
  const std::string_view t = Text(row, col);
  if (t == "t") return true;
  if (t == "f") return false;
  return Internal("column " + std::to_string(col) + " is not a boolean: '" + std::string(t) + "'");
}
Result<std::string> Rows::Bytea(int row, int col) const {
  size_t len = 0;
  std::unique_ptr<unsigned char, FreeMem> bytes(PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(res_.get(), row, col)), &len));
  if (!bytes) return Internal("column " + std::to_string(col) + " is not bytea");
  return std::string(reinterpret_cast<const char*>(bytes.get()), len);
}
int64_t Rows::affected() const {
  const char* n = PQcmdTuples(res_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::strtoll(n, nullptr, 10);
}
std::string_view Rows::command() const { return PQcmdStatus(res_.get()); }

// ---- Connection ----

void Connection::ConnDeleter::operator()(PGconn* c) const { PQfinish(c); }

Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<Connection> Connection::Open(std::string_view url, const ConnectOptions& options) {
  const std::string safe = SafeUrl(url);
  if (url.substr(0, 13) != "postgresql://" && url.substr(0, 11) != "postgres://") {
    return InvalidArgument("not a PostgreSQL URL (postgresql://USER@HOST:PORT/DB): '" + safe + "'");
  }
  const std::string url_z(url);
  char* raw_err = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFree> parsed(PQconninfoParse(url_z.c_str(), &raw_err));
  std::unique_ptr<char, FreeMem> err(raw_err);
  if (!parsed) {
    return InvalidArgument("bad PostgreSQL URL '" + safe +
                           "': " + (err ? Trim(err.get()) : std::string("out of memory")));
  }
  // Our defaults first: the URL's own parameters (?connect_timeout=...) override them.
  const std::string timeout = std::to_string(options.connect_timeout.count());
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                        nullptr};
  const char* values[] = {timeout.c_str(), options.application_name.c_str(), "UTF8", url_z.c_str(),
                          nullptr};
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdbParams(keys, values, 1));
  if (!conn) return ResourceExhausted("cannot connect to " + safe + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Unavailable("cannot connect to " + safe + ": " + Trim(PQerrorMessage(conn.get())));
  }
  // Notices ("relation already exists, skipping") would go to stderr: not ours to print.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return Connection(std::move(conn), safe);
}

Result<Rows> Connection::Check(ResultPtr res, std::string_view what) {
  if (!res) return StatusFromResult(nullptr, conn_.get(), what);
  switch (PQresultStatus(res.get())) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
      return Rows(std::move(res));
    case PGRES_FATAL_ERROR:
    case PGRES_NONFATAL_ERROR:
    case PGRES_BAD_RESPONSE:
      return StatusFromResult(res.get(), conn_.get(), what);
    default:
      return Internal(std::string(what) + ": unexpected result " +
                      PQresStatus(PQresultStatus(res.get())));
  }
}

Status Connection::Exec(std::string_view sql) {
  const std::string z(sql);
  auto r = Check(ResultPtr(PQexec(conn_.get(), z.c_str())), "query failed");
  return r.status();
}

Result<Rows> Connection::Execute(const char* sql, const std::vector<Param>& params,
                                 const Oid* types) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.text ? p.text->c_str() : nullptr);
  std::vector<Oid> own_types;
  if (types == nullptr) {
    for (const Param& p : params) own_types.push_back(p.type);
    types = own_types.data();
  }
  return Check(ResultPtr(PQexecParams(conn_.get(), sql, static_cast<int>(params.size()), types,
                                      values.data(), nullptr, nullptr, 0)),
               "query failed");
}

Result<Rows> Connection::Query(std::string_view sql, std::initializer_list<Param> params) {
  return Query(sql, std::vector<Param>(params));
}
Result<Rows> Connection::Query(std::string_view sql, const std::vector<Param>& params) {
  const std::string z(sql);
  return Execute(z.c_str(), params, nullptr);
}

Result<Rows> Connection::Run(const Statement& st, std::initializer_list<Param> params) {
  return Run(st, std::vector<Param>(params));
}
Result<Rows> Connection::Run(const Statement& st, const std::vector<Param>& params) {
  if (params.size() != st.types.size()) {
    return InvalidArgument("statement " + st.name + " takes " + std::to_string(st.types.size()) +
                           " parameters, got " + std::to_string(params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].type != st.types[i]) {
      return InvalidArgument("statement " + st.name + ": parameter $" + std::to_string(i + 1) +
                             " has type " + std::to_string(params[i].type) + ", declared " +
                             std::to_string(st.types[i]));
    }
  }
  auto known = prepared_.find(st.name);
  if (known == prepared_.end()) {
    auto r = Check(ResultPtr(PQprepare(conn_.get(), st.name.c_str(), st.sql.c_str(),
                                       static_cast<int>(st.types.size()), st.types.data())),
                   "preparing " + st.name);
    if (!r.ok()) return r.status();
    prepared_.emplace(st.name, st.sql);
  } else if (known->second != st.sql) {
    return InvalidArgument("statement name " + st.name + " is already prepared with other SQL");
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p.text ? p.text->c_str() : nullptr);
  return Check(
      ResultPtr(PQexecPrepared(conn_.get(), st.name.c_str(), static_cast<int>(params.size()),
                               values.data(), nullptr, nullptr, 0)),
      st.name + " failed");
}

Status Connection::Listen(std::string_view channel) {
  std::unique_ptr<char, FreeMem> id(
      PQescapeIdentifier(conn_.get(), channel.data(), channel.size()));
  if (!id) return InvalidArgument("bad channel name: " + Trim(PQerrorMessage(conn_.get())));
  return Exec(std::string("LISTEN ") + id.get());
}
Status Connection::Unlisten(std::string_view channel) {
  std::unique_ptr<char, FreeMem> id(
      PQescapeIdentifier(conn_.get(), channel.data(), channel.size()));
  if (!id) return InvalidArgument("bad channel name: " + Trim(PQerrorMessage(conn_.get())));
  return Exec(std::string("UNLISTEN ") + id.get());
}
Status Connection::Notify(std::string_view channel, std::string_view payload) {
  return Query("SELECT pg_notify($1, $2)", {Param::Text(channel), Param::Text(payload)}).status();
}

Result<std::vector<Notification>> Connection::WaitForNotifications(
    std::chrono::milliseconds timeout) {
  std::vector<Notification> out;
  auto drain = [&]() {
    while (true) {
      std::unique_ptr<PGnotify, NotifyFree> n(PQnotifies(conn_.get()));
      if (!n) break;
      out.push_back({n->relname, n->extra != nullptr ? n->extra : "", n->be_pid});
    }
  };
  if (PQconsumeInput(conn_.get()) == 0) {
    return Unavailable("listening connection failed: " + Trim(PQerrorMessage(conn_.get())));
  }
  drain();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{PQsocket(conn_.get()), POLLIN, 0};
    if (pfd.fd < 0) return Unavailable("listening connection is closed");
    const int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) return Internal(std::string("poll: ") + std::strerror(errno));
    if (n <= 0) continue;
    if (PQconsumeInput(conn_.get()) == 0) {
      return Unavailable("listening connection failed: " + Trim(PQerrorMessage(conn_.get())));
    }
    drain();
  }
  return out;
}

bool Connection::InTransaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(conn_.get());
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}
int Connection::backend_pid() const { return PQbackendPID(conn_.get()); }

bool IsRetryable(const Status& s) {
  return s.code() == StatusCode::kAborted &&
         (s.message().find("(SQLSTATE 40001)") != std::string::npos ||
          s.message().find("(SQLSTATE 40P01)") != std::string::npos);
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Connection& conn, Isolation iso) {
  if (conn.InTransaction()) return FailedPrecondition("already inside a transaction");
  const char* sql = iso == Isolation::kSerializable     ? "BEGIN ISOLATION LEVEL SERIALIZABLE"
                    : iso == Isolation::kRepeatableRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
                                                        : "BEGIN ISOLATION LEVEL READ COMMITTED";
  Q11_RETURN_IF_ERROR(conn.Exec(sql));
  return Transaction(conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr && conn_->InTransaction()) (void)conn_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (conn_ == nullptr) return FailedPrecondition("the transaction is already over");
  Connection* c = conn_;
  conn_ = nullptr;
  auto r = c->Query("COMMIT");
  if (!r.ok()) {
    if (c->InTransaction()) (void)c->Exec("ROLLBACK");
    return r.status();
  }
  if (r->command() == "ROLLBACK") {
    return Aborted("COMMIT rolled back: a statement of the transaction had failed");
  }
  return Status::Ok();
}

Status Transaction::Rollback() {
  if (conn_ == nullptr) return FailedPrecondition("the transaction is already over");
  Connection* c = conn_;
  conn_ = nullptr;
  return c->Exec("ROLLBACK");
}

Status RunTransaction(Connection& conn, Isolation iso,
                      const std::function<Status(Transaction&)>& body, int attempts) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  Status s;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    auto txn = Transaction::Begin(conn, iso);
    if (!txn.ok()) return txn.status();
    s = body(*txn);
    if (s.ok()) {
      s = txn->Commit();
    } else {
      (void)txn->Rollback();
    }
    if (s.ok() || !IsRetryable(s)) return s;
    std::uniform_int_distribution<int> pause(1, 5 * attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
  }
  return s;
}

}  // namespace q11::pg
