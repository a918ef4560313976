#include "q11sqlite/sqlite.h"

#include <mutex>

#include "q11sqlite/changeset_framing.h"

namespace q11::sql {
namespace {

// SQLite reports a changeset whose table is missing or has another shape only through
// sqlite3_log, then silently skips the table. Capture those messages per thread while a
// changeset is being applied, so ApplyChangeset can turn them into an error.
thread_local bool tl_capture = false;
thread_local std::string tl_schema_log;

void LogHook(void*, int code, const char* msg) {
  if (tl_capture && (code & 0xff) == SQLITE_SCHEMA) {
    if (!tl_schema_log.empty()) tl_schema_log += "; ";
    tl_schema_log += msg ? msg : "schema mismatch";
  }
}

void InstallLogHookOnce() {
  static std::once_flag once;
  // Must run before SQLite initialises; if something in the process initialised it first
  // the call fails with SQLITE_MISUSE and mismatches are still caught by the shape checks
  // the server does before applying.
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_LOG, LogHook, nullptr); });
}

StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    // Out of memory is the machine's trouble of the moment, like a full disk: retry later.
    // Never a verdict on the data (the server would refuse, and the phone drop, a change
    // it only lacked the memory to apply; tests/alloc).
    case SQLITE_NOMEM:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
                 ? StatusCode::kAlreadyExists
                 : StatusCode::kFailedPrecondition;
    case SQLITE_TOOBIG:
      return StatusCode::kResourceExhausted;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return StatusCode::kPermissionDenied;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

bool IsStorageFull(const Status& s) {
  // The status keeps no result code; sqlite3_errstr(SQLITE_FULL) is this fixed text, and
  // sqlite3_errmsg says the same for it.
  return s.code() == StatusCode::kUnavailable &&
         s.message().find(sqlite3_errstr(SQLITE_FULL)) != std::string::npos;
}

Status FromSqlite(int rc, sqlite3* db, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += (db != nullptr && sqlite3_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(CodeFor(rc), std::move(msg));
}

// ---- Statement -------------------------------------------------------------------------

Statement& Statement::Bind(int i, int64_t v) {
  NoteBind(sqlite3_bind_int64(get(), i, v));
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  NoteBind(sqlite3_bind_double(get(), i, v));
  return *this;
}
Statement& Statement::Bind(int i, std::string_view t) {
  NoteBind(sqlite3_bind_text64(get(), i, t.data(), t.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}
Statement& Statement::Bind(int i, const std::optional<std::string>& t) {
  return t ? Bind(i, std::string_view(*t)) : BindNull(i);
}
Statement& Statement::Bind(int i, const std::optional<double>& v) {
  return v ? Bind(i, *v) : BindNull(i);
}
Statement& Statement::BindBlob(int i, std::string_view b) {
  NoteBind(sqlite3_bind_blob64(get(), i, b.data(), b.size(), SQLITE_TRANSIENT));
  return *this;
}
Statement& Statement::BindNull(int i) {
  NoteBind(sqlite3_bind_null(get(), i));
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) {  // a parameter is missing: running would store NULL instead
    Status s = FromSqlite(bind_rc_, nullptr, "binding a statement parameter failed");
    Reset();
    return s;
  }
  int rc = sqlite3_step(get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(get());
  Status s = FromSqlite(rc, db, "statement failed");
  sqlite3_reset(get());
  return s;
}

Status Statement::Run() {
  Result<bool> r = Step();
  while (r.ok() && *r) r = Step();
  Reset();
  return r.status();
}

void Statement::Reset() {
  sqlite3_reset(get());
  sqlite3_clear_bindings(get());
  bind_rc_ = SQLITE_OK;
}

bool Statement::IsNull(int c) const { return sqlite3_column_type(get(), c) == SQLITE_NULL; }
int64_t Statement::Int(int c) const { return sqlite3_column_int64(get(), c); }
double Statement::Double(int c) const { return sqlite3_column_double(get(), c); }
std::string Statement::Text(int c) const {
  const unsigned char* t = sqlite3_column_text(get(), c);
  return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(get(), c))
           : std::string();
}
std::optional<std::string> Statement::OptText(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Text(c);
}
std::optional<double> Statement::OptDouble(int c) const {
  if (IsNull(c)) return std::nullopt;
  return Double(c);
}
std::string Statement::Blob(int c) const {
  const void* b = sqlite3_column_blob(get(), c);
  return b ? std::string(static_cast<const char*>(b), sqlite3_column_bytes(get(), c))
           : std::string();
}

// ---- Db --------------------------------------------------------------------------------

Result<Db> Db::Open(const std::string& path, bool create, int busy_timeout_ms) {
  InstallLogHookOnce();
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db;
  db.db_.reset(raw);  // closes even when open failed
  if (rc != SQLITE_OK) return FromSqlite(rc, raw, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Status Db::Exec(std::string_view sql) {
  std::string owned(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(get(), owned.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Status(FromSqlite(rc, nullptr, "").code(), "exec failed: " + msg);
}

Result<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  Statement st(raw);
  if (rc != SQLITE_OK)
    return FromSqlite(rc, get(), "prepare \"" + std::string(sql.substr(0, 80)) + "\"");
  return st;
}

Result<std::optional<std::string>> Db::QueryText(std::string_view sql) {
  Result<Statement> st = Prepare(sql);
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return st->OptText(0);
}

// ---- Transactions ----------------------------------------------------------------------

Result<Transaction> Transaction::Begin(Db& db, bool immediate) {
  // Without this, every later BEGIN on the connection would fail ("cannot start a
  // transaction within a transaction") until it is closed (tests/alloc).
  if (db.orphaned_transaction_ && !sqlite3_get_autocommit(db.get()) &&
      sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK)
    return Unavailable("an earlier transaction could not be rolled back (out of memory?)");
  db.orphaned_transaction_ = false;
  Q11_RETURN_IF_ERROR(db.Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr &&
      sqlite3_exec(db_->get(), "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK &&
      !sqlite3_get_autocommit(db_->get()))
    db_->orphaned_transaction_ = true;
}

Status Transaction::Commit() {
  if (db_ == nullptr) return FailedPrecondition("transaction already finished");
  Status s = db_->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;  // on failure the destructor rolls back
  return s;
}

Result<Savepoint> Savepoint::Begin(Db& db, std::string name) {
  Q11_RETURN_IF_ERROR(db.Exec("SAVEPOINT " + name));
  return Savepoint(&db, std::move(name));
}

Savepoint::~Savepoint() {
  if (db_ != nullptr) (void)Rollback();
}

Status Savepoint::Release() {
  if (db_ == nullptr) return FailedPrecondition("savepoint already finished");
  Status s = db_->Exec("RELEASE " + name_);
  db_ = nullptr;
  return s;
}

Status Savepoint::Rollback() {
  if (db_ == nullptr) return FailedPrecondition("savepoint already finished");
  Status s = db_->Exec("ROLLBACK TO " + name_);
  Status r = db_->Exec("RELEASE " + name_);
  // Failed, and this savepoint was the outermost: its transaction is left to nobody.
  if ((!s.ok() || !r.ok()) && !sqlite3_get_autocommit(db_->get()))
    db_->orphaned_transaction_ = true;
  db_ = nullptr;
  return s.ok() ? r : s;
}

// ---- Sessions and changesets -----------------------------------------------------------

Result<Session> Session::Create(Db& db, const std::vector<std::string>& tables) {
  sqlite3_session* raw = nullptr;
  int rc = sqlite3session_create(db.get(), "main", &raw);
  Session s;
  s.s_.reset(raw);
  if (rc != SQLITE_OK) return FromSqlite(rc, db.get(), "create session");
  for (const std::string& t : tables) {
    rc = sqlite3session_attach(raw, t.c_str());
    if (rc != SQLITE_OK) return FromSqlite(rc, db.get(), "attach session to " + t);
  }
  return s;
}

Result<std::string> Session::Changeset() {
  int n = 0;
  void* p = nullptr;
  int rc = sqlite3session_changeset(s_.get(), &n, &p);
  if (rc != SQLITE_OK) return FromSqlite(rc, nullptr, "take changeset");
  std::string out(static_cast<const char*>(p), static_cast<size_t>(n));
  sqlite3_free(p);
  return out;
}

namespace {

struct ApplyContext {
  const ConflictHandler* handler;
};

int ConflictTrampoline(void* ctx, int kind, sqlite3_changeset_iter* it) {
  return static_cast<int>((*static_cast<ApplyContext*>(ctx)->handler)(kind, it));
}

struct IterDeleter {
  void operator()(sqlite3_changeset_iter* it) const { sqlite3changeset_finalize(it); }
};
using IterPtr = std::unique_ptr<sqlite3_changeset_iter, IterDeleter>;

}  // namespace

Status ApplyChangeset(Db& db, std::string_view changeset, const ConflictHandler& handler) {
  if (changeset.empty()) return Status::Ok();
  // Even changesets from our own server come over a network; SQLite's iterator hangs or
  // over-reads on bad framing (changeset_framing.h), so check it first. It is one cheap pass.
  if (Status framing = CheckChangesetFraming(changeset); !framing.ok())
    return DataLoss("malformed changeset: " + framing.message());
  ApplyContext ctx{&handler};
  tl_capture = true;
  tl_schema_log.clear();
  // SESSION_APPLY_NOSAVEPOINT: the caller's transaction decides; IGNORENOOP does not exist
  // on 3.40 and is not needed.
  int rc = sqlite3changeset_apply_v2(
      db.get(), static_cast<int>(changeset.size()), const_cast<char*>(changeset.data()), nullptr,
      ConflictTrampoline, &ctx, nullptr, nullptr, SQLITE_CHANGESETAPPLY_NOSAVEPOINT);
  tl_capture = false;
  if (rc == SQLITE_ABORT) return Aborted("changeset application aborted by the conflict policy");
  if (rc != SQLITE_OK) return FromSqlite(rc, db.get(), "apply changeset");
  if (!tl_schema_log.empty())
    return FailedPrecondition("changeset does not match the schema: " + tl_schema_log);
  return Status::Ok();
}

Result<std::string> InvertChangeset(std::string_view changeset) {
  if (changeset.empty()) return std::string();
  int n = 0;
  void* p = nullptr;
  int rc = sqlite3changeset_invert(static_cast<int>(changeset.size()), changeset.data(), &n, &p);
  if (rc != SQLITE_OK) return FromSqlite(rc, nullptr, "invert changeset");
  std::string out(static_cast<const char*>(p), static_cast<size_t>(n));
  sqlite3_free(p);
  return out;
}

Result<std::vector<std::string>> ChangesetTables(std::string_view changeset) {
  std::vector<std::string> tables;
  if (Status framing = CheckChangesetFraming(changeset); !framing.ok())
    return DataLoss("malformed changeset: " + framing.message());
  sqlite3_changeset_iter* raw = nullptr;
  int rc = sqlite3changeset_start(&raw, static_cast<int>(changeset.size()),
                                  const_cast<char*>(changeset.data()));
  IterPtr it(raw);
  if (rc != SQLITE_OK) return DataLoss("malformed changeset");
  while ((rc = sqlite3changeset_next(raw)) == SQLITE_ROW) {
    const char* table = nullptr;
    int ncol = 0, op = 0, indirect = 0;
    if (sqlite3changeset_op(raw, &table, &ncol, &op, &indirect) != SQLITE_OK)
      return DataLoss("malformed changeset");
    if (tables.empty() || tables.back() != table) {
      bool seen = false;
      for (const std::string& t : tables) seen = seen || t == table;
      if (!seen) tables.emplace_back(table);
    }
  }
  if (rc != SQLITE_DONE) return DataLoss("malformed changeset");
  return tables;
}

std::string DescribeValue(sqlite3_value* v) {
  if (v == nullptr) return "(unchanged)";
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_value_int64(v));
    case SQLITE_FLOAT:
      return std::to_string(sqlite3_value_double(v));
    case SQLITE_TEXT: {
      const unsigned char* t = sqlite3_value_text(v);
      return "'" + std::string(reinterpret_cast<const char*>(t), sqlite3_value_bytes(v)) + "'";
    }
    default:
      return "<blob of " + std::to_string(sqlite3_value_bytes(v)) + " bytes>";
  }
}

}  // namespace q11::sql
