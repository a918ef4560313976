#include "store/sqlite/sqlite_conn.h"

namespace q11::server {
namespace {

class SqliteStmt final : public SqlStmtImpl {
 public:
  explicit SqliteStmt(sql::Statement st) : st_(std::move(st)) {}

  void BindValue(int i, const Value& v, bool copy) override {
    sqlite3_stmt* s = st_.get();
    if (!copy) {
      st_.NoteBind(server::BindValue(s, i, v));
      return;
    }
    switch (v.type) {
      case Value::Type::kText:
        st_.NoteBind(
            sqlite3_bind_text64(s, i, v.s.data(), v.s.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
        break;
      case Value::Type::kBlob:
        st_.NoteBind(sqlite3_bind_blob64(s, i, v.s.data(), v.s.size(), SQLITE_TRANSIENT));
        break;
      default:
        st_.NoteBind(server::BindValue(s, i, v));  // numbers and NULL hold no pointer
    }
  }
  Result<bool> Step() override { return st_.Step(); }
  void Reset() override { st_.Reset(); }
  int ColumnCount() const override { return sqlite3_column_count(st_.get()); }
  Value Column(int col) const override { return ColumnValue(st_.get(), col); }

 private:
  sql::Statement st_;
};

}  // namespace

Result<SqlStmt> SqliteConn::Prepare(std::string_view sql) {
  Result<sql::Statement> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  return SqlStmt(std::make_unique<SqliteStmt>(std::move(*st)));
}

Status SqliteConn::RunCached(sql::Statement& st, const char* text) {
  if (!st) {
    Result<sql::Statement> prepared = db_.Prepare(text);
    if (!prepared.ok()) return prepared.status();
    st = std::move(*prepared);
  }
  return st.Run();
}

Status SqliteConn::Begin(sql::Statement& st, const char* text) {
  // A transaction open here belongs to nobody: a ROLLBACK failed (SQLite out of memory
  // preparing or running it) and left it. Without this every later BEGIN would fail
  // ("cannot start a transaction within a transaction") until the server restarts
  // (tests/alloc).
  if (db_.get() != nullptr && !sqlite3_get_autocommit(db_.get())) {
    Rollback();
    if (!sqlite3_get_autocommit(db_.get()))
      return Unavailable(
          "the database is still in an earlier transaction that could not be "
          "rolled back (out of memory?)");
  }
  return RunCached(st, text);
}

void SqliteConn::Rollback() {
  if (db_.get() != nullptr && !sqlite3_get_autocommit(db_.get()))
    (void)RunCached(rollback_, "ROLLBACK");
}

Result<SqliteConn> OpenSqliteConn(const std::string& path, bool create) {
  Result<sql::Db> db = sql::Db::Open(path, create);
  if (!db.ok()) return db.status();
  return SqliteConn(std::move(*db));
}

}  // namespace q11::server
