#include "store/sql/sql_conn.h"

#include <charconv>
#include <cstdlib>

#include "q11sqlite/sqlite.h"

namespace q11::server {

SqlStmt& SqlStmt::Bind(int i, double v) {
  Value value;
  value.type = Value::Type::kReal;
  value.r = v;
  return Bind(i, value);
}

SqlStmt& SqlStmt::BindBlob(int i, std::string_view blob) {
  Value value;
  value.type = Value::Type::kBlob;
  value.s.assign(blob);
  return Bind(i, value);
}

Status SqlStmt::Run() {
  Result<bool> r = Step();
  while (r.ok() && *r) r = Step();
  Reset();
  return r.status();
}

// The conversions follow SQLite's sqlite3_column_* so callers see the same on both backends.
int64_t SqlStmt::Int(int col) const {
  Value v = Column(col);
  switch (v.type) {
    case Value::Type::kInteger:
      return v.i;
    case Value::Type::kReal:
      return static_cast<int64_t>(v.r);
    case Value::Type::kText:
    case Value::Type::kBlob:
      return std::strtoll(v.s.c_str(), nullptr, 10);
    default:
      return 0;
  }
}

double SqlStmt::Double(int col) const {
  Value v = Column(col);
  switch (v.type) {
    case Value::Type::kInteger:
      return static_cast<double>(v.i);
    case Value::Type::kReal:
      return v.r;
    case Value::Type::kText:
    case Value::Type::kBlob:
      return std::strtod(v.s.c_str(), nullptr);
    default:
      return 0;
  }
}

std::string SqlStmt::Text(int col) const {
  Value v = Column(col);
  switch (v.type) {
    case Value::Type::kInteger:
      return std::to_string(v.i);
    case Value::Type::kReal: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.r);
      return ec == std::errc() ? std::string(buf, end) : std::string();
    }
    case Value::Type::kText:
    case Value::Type::kBlob:
      return std::move(v.s);
    default:
      return std::string();
  }
}

std::optional<std::string> SqlStmt::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

std::optional<double> SqlStmt::OptDouble(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Double(col);
}

std::string SqlStmt::Blob(int col) const {
  Value v = Column(col);
  return (v.type == Value::Type::kBlob || v.type == Value::Type::kText) ? std::move(v.s)
                                                                        : Text(col);
}

Result<std::optional<std::string>> SqlConn::QueryText(std::string_view sql) {
  Result<SqlStmt> st = Prepare(sql);
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  std::optional<std::string> out;
  if (*row) out = st->OptText(0);
  st->Reset();
  return out;
}

bool IsStorageFull(const Status& s) {
  return sql::IsStorageFull(s) || (s.code() == StatusCode::kUnavailable &&
                                   s.message().find("(SQLSTATE 53100)") != std::string::npos);
}

Result<SqlTransaction> SqlTransaction::Write(SqlConn& conn) {
  Q11_RETURN_IF_ERROR(conn.BeginWrite());
  return SqlTransaction(&conn);
}

Result<SqlTransaction> SqlTransaction::Read(SqlConn& conn) {
  Q11_RETURN_IF_ERROR(conn.BeginRead());
  return SqlTransaction(&conn);
}

Status SqlTransaction::Commit() {
  Status s = conn_->Commit();
  if (s.ok()) conn_ = nullptr;
  return s;
}

}  // namespace q11::server
