#include "store/postgres/pg_conn.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace q11::server {
namespace {

// Type OIDs of what we read and bind (pg_type.dat).
constexpr pg::Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23,
                  kFloat4Oid = 700, kFloat8Oid = 701, kNumericOid = 1700, kOidOid = 26;

bool IsIntegerType(pg::Oid t) {
  return t == kInt8Oid || t == kInt2Oid || t == kInt4Oid || t == kOidOid;
}

std::string FormatReal(double r) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", r);
  return buf;
}

std::string HexBytea(char tag, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "\\x";
  s.reserve(4 + bytes.size() * 2);
  s += kHex[static_cast<unsigned char>(tag) >> 4];
  s += kHex[static_cast<unsigned char>(tag) & 15];
  for (unsigned char c : bytes) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A bytea's text form (hex: \x...) as a Value, by its type tag.
Value FromBytea(std::string_view text) {
  std::string bytes;
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    bytes.reserve((text.size() - 2) / 2);
    for (size_t i = 2; i + 1 < text.size(); i += 2)
      bytes += static_cast<char>(HexDigit(text[i]) * 16 + HexDigit(text[i + 1]));
  } else {
    bytes.assign(text);  // bytea_output = escape: not ours; keep the text
  }
  Value v;
  if (bytes.empty()) {
    v.type = Value::Type::kBlob;
    return v;
  }
  const char tag = bytes[0];
  std::string payload = bytes.substr(1);
  switch (tag) {
    case 'i':
      return Value::Integer(std::strtoll(payload.c_str(), nullptr, 10));
    case 'r':
      v.type = Value::Type::kReal;
      v.r = std::strtod(payload.c_str(), nullptr);
      return v;
    case 't':
      v.type = Value::Type::kText;
      v.s = std::move(payload);
      return v;
    case 'b':
      v.type = Value::Type::kBlob;
      v.s = std::move(payload);
      return v;
    default:  // written by someone else: the bytes as they are
      v.type = Value::Type::kBlob;
      v.s = std::move(bytes);
      return v;
  }
}

class PgStmt final : public SqlStmtImpl {
 public:
  PgStmt(PgConn& conn, std::string name, std::string sql, std::vector<pg::Oid> types)
      : conn_(conn),
        name_(std::move(name)),
        sql_(std::move(sql)),
        types_(std::move(types)),
        values_(types_.size()) {}

  void BindValue(int i, const Value& v, bool) override {
    if (i < 1 || static_cast<size_t>(i) > values_.size()) return;  // as SQLite: ignored
    values_[i - 1] = ToText(types_[i - 1], v);
  }

  Result<bool> Step() override {
    if (!executed_) {
      Q11_RETURN_IF_ERROR(Execute());
      executed_ = true;
      row_ = -1;
    }
    ++row_;
    return res_ && row_ < PQntuples(res_.get());
  }

  void Reset() override {
    res_.reset();
    executed_ = false;
    row_ = -1;
    for (auto& v : values_) v.reset();
  }

  int ColumnCount() const override { return res_ ? PQnfields(res_.get()) : 0; }

  Value Column(int col) const override {
    if (!res_ || row_ < 0 || row_ >= PQntuples(res_.get()) || col < 0 ||
        col >= PQnfields(res_.get()) || PQgetisnull(res_.get(), row_, col))
      return Value::Null();
    const char* text = PQgetvalue(res_.get(), row_, col);
    const std::string_view s(text, static_cast<size_t>(PQgetlength(res_.get(), row_, col)));
    const pg::Oid type = PQftype(res_.get(), col);
    Value v;
    if (IsIntegerType(type)) return Value::Integer(std::strtoll(text, nullptr, 10));
    if (type == kBoolOid) return Value::Integer(s == "t" ? 1 : 0);
    if (type == kFloat8Oid || type == kFloat4Oid ||
        (type == kNumericOid && s.find_first_of(".eEN") != std::string_view::npos)) {
      v.type = Value::Type::kReal;
      v.r = std::strtod(text, nullptr);
      return v;
    }
    if (type == kNumericOid) return Value::Integer(std::strtoll(text, nullptr, 10));
    if (type == kByteaOid) return FromBytea(s);
    return Value::Text(s);
  }

 private:
  static std::optional<std::string> ToText(pg::Oid type, const Value& v) {
    switch (v.type) {
      case Value::Type::kUndefined:
      case Value::Type::kNull:
        return std::nullopt;
      case Value::Type::kInteger:
        if (type == kByteaOid) return HexBytea('i', std::to_string(v.i));
        return std::to_string(v.i);
      case Value::Type::kReal:
        if (type == kByteaOid) return HexBytea('r', FormatReal(v.r));
        // A whole number bound where an integer belongs, as SQLite would store it.
        if (IsIntegerType(type) && v.r == static_cast<double>(static_cast<int64_t>(v.r)))
          return std::to_string(static_cast<int64_t>(v.r));
        return FormatReal(v.r);
      case Value::Type::kText:
        if (type == kByteaOid) return HexBytea('t', v.s);
        return v.s;
      case Value::Type::kBlob:
        if (type == kByteaOid) return HexBytea('b', v.s);
        return v.s;
    }
    return std::nullopt;
  }

  Status Execute() {
    std::vector<const char*> params(values_.size());
    for (size_t i = 0; i < values_.size(); ++i)
      params[i] = values_[i] ? values_[i]->c_str() : nullptr;
    PGconn* raw = conn_.connection().raw();
    pg::ResultPtr res(PQexecPrepared(raw, name_.c_str(), static_cast<int>(params.size()),
                                     params.data(), nullptr, nullptr, /*resultFormat=*/0));
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return pg::StatusFromResult(res.get(), raw, "statement failed (" + sql_.substr(0, 60) + ")");
    }
    const char* tuples = PQcmdTuples(res.get());
    if (tuples != nullptr && *tuples != '\0' && st == PGRES_COMMAND_OK)
      conn_.NoteChanges(std::strtoll(tuples, nullptr, 10));
    else if (tuples != nullptr && *tuples != '\0' &&
             std::string_view(PQcmdStatus(res.get())).substr(0, 6) != "SELECT")
      conn_.NoteChanges(std::strtoll(tuples, nullptr, 10));  // INSERT ... RETURNING
    res_ = std::move(res);
    return Status::Ok();
  }

  PgConn& conn_;
  const std::string name_, sql_;
  const std::vector<pg::Oid> types_;
  std::vector<std::optional<std::string>> values_;
  pg::ResultPtr res_;
  bool executed_ = false;
  int row_ = -1;
};

}  // namespace

std::string ToPostgresParameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or a quoted name: copied as is
      size_t end = i + 1;
      while (end < sql.size() && sql[end] != c) ++end;
      out.append(sql.substr(i, end + 1 - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size();
      out.append(sql.substr(i, end - i));
      i = end - 1;
    } else if (c == '?') {
      size_t end = i + 1;
      while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
      if (end > i + 1) {
        out += '$';
        out.append(sql.substr(i + 1, end - i - 1));
      } else {
        out += '$' + std::to_string(++next);
      }
      i = end - 1;
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::unique_ptr<PgConn>> PgConn::Open(std::string_view url) {
  Result<pg::Connection> conn = pg::Connection::Open(url);
  if (!conn.ok()) return conn.status();
  auto out = std::make_unique<PgConn>(std::move(*conn));
  // Text bytea output in hex (the default since 9.0; said so in case a server is set
  // otherwise), and UTC for anything that formats times.
  Q11_RETURN_IF_ERROR(out->Exec("SET bytea_output = 'hex'; SET TIME ZONE 'UTC'"));
  return out;
}

Status PgConn::Exec(std::string_view sql) { return conn_.Exec(sql); }

Result<SqlStmt> PgConn::Prepare(std::string_view sql) {
  const std::string text = ToPostgresParameters(sql);
  auto known = prepared_.find(text);
  if (known == prepared_.end()) {
    Prepared p{"q11s" + std::to_string(++next_statement_), {}};
    PGconn* raw = conn_.raw();
    pg::ResultPtr prepared(PQprepare(raw, p.name.c_str(), text.c_str(), 0, nullptr));
    if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK)
      return pg::StatusFromResult(prepared.get(), raw, "prepare \"" + text.substr(0, 80) + "\"");
    pg::ResultPtr described(PQdescribePrepared(raw, p.name.c_str()));
    if (!described || PQresultStatus(described.get()) != PGRES_COMMAND_OK)
      return pg::StatusFromResult(described.get(), raw, "describe \"" + text.substr(0, 80) + "\"");
    p.types.resize(static_cast<size_t>(PQnparams(described.get())));
    for (size_t i = 0; i < p.types.size(); ++i)
      p.types[i] = PQparamtype(described.get(), static_cast<int>(i));
    known = prepared_.emplace(text, std::move(p)).first;
  }
  return SqlStmt(std::make_unique<PgStmt>(*this, known->second.name, text, known->second.types));
}

Status PgConn::BeginWrite() {
  Q11_RETURN_IF_ERROR(
      conn_.Exec("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" +
                 std::to_string(kWriteLockKey) + ")"));
  changes_at_begin_ = total_changes_;
  return Status::Ok();
}

Status PgConn::BeginRead() {
  changes_at_begin_ = -1;
  return conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

Status PgConn::Commit() {
  if (changes_at_begin_ >= 0 && total_changes_ != changes_at_begin_) {
    // Delivered with the COMMIT to every listening server, once per group commit.
    Q11_RETURN_IF_ERROR(conn_.Exec(std::string("NOTIFY ") + kChangesChannel));
  }
  changes_at_begin_ = -1;
  Result<pg::Rows> done = conn_.Query("COMMIT");
  if (!done.ok()) return done.status();
  if (done->command() == "ROLLBACK")
    return Aborted("the transaction was rolled back (a statement in it had failed)");
  return Status::Ok();
}

void PgConn::Rollback() {
  changes_at_begin_ = -1;
  if (PQtransactionStatus(conn_.raw()) != PQTRANS_IDLE) (void)conn_.Exec("ROLLBACK");
}

}  // namespace q11::server
