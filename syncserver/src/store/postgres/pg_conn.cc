#include "store/postgres/pg_conn.h"

#include "protocol/json_value.h"

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

constexpr pg::Oid kJsonOid = 114, kJsonbOid = 3802;

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
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
  return 0;
}

std::string Unhex(std::string_view hex) {
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(HexDigit(hex[i]) * 16 + HexDigit(hex[i + 1]));
  return bytes;
}

// A bytea's text form (hex: \x...) as its bytes.
Value FromBytea(std::string_view text) {
  Value v;
  v.type = Value::Type::kBlob;
  v.s = text.substr(0, 2) == "\\x" ? Unhex(text.substr(2)) : std::string(text);
  return v;
}

// A value of SQLite's untyped kind as JSON, and back (the jsonb columns above).
std::string ToJson(const Value& v) {
  switch (v.type) {
    case Value::Type::kInteger:
      return std::to_string(v.i);
    case Value::Type::kReal:
      return json::Value(v.r).Write();
    case Value::Type::kText:
      return json::Value(std::string_view(v.s)).Write();
    case Value::Type::kBlob: {
      json::Value o;
      o.Set("blob", json::Value(Hex(v.s)));
      return o.Write();
    }
    default:
      return "null";
  }
}

Value FromJson(std::string_view text) {
  Result<json::Value> j = json::Parse(text);
  if (!j.ok() || j->is_null()) return Value::Null();
  if (j->type() == json::Value::Type::kInt) return Value::Integer(*j->ToInt());
  Value v;
  if (j->is_number()) {
    v.type = Value::Type::kReal;
    v.r = *j->ToDouble();
  } else if (j->is_string()) {
    v = Value::Text(j->string());
  } else if (j->is_object() && j->Find("blob") != nullptr) {
    v.type = Value::Type::kBlob;
    v.s = Unhex(j->StringOr("blob"));
  } else {
    v = Value::Text(j->Write());
  }
  return v;
}

class PgStmt final : public SqlStmtImpl {
 public:
  PgStmt(PgConn& conn, PgConn::Prepared& prepared)
      : conn_(conn), prepared_(prepared), values_(prepared.types.size()) {}

  void BindValue(int i, const Value& v, bool) override {
    if (i < 1 || static_cast<size_t>(i) >= prepared_.slots.size()) return;  // as SQLite
    const int slot = prepared_.slots[i];
    if (slot == 0) return;  // a number the SQL does not use
    values_[slot - 1] = ToText(prepared_.types[slot - 1], v);
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
    if (type == kJsonbOid || type == kJsonOid) return FromJson(s);
    return Value::Text(s);
  }

 private:
  static std::optional<std::string> ToText(pg::Oid type, const Value& v) {
    if (v.type == Value::Type::kUndefined || v.type == Value::Type::kNull) return std::nullopt;
    if (type == kJsonbOid || type == kJsonOid) return ToJson(v);
    switch (v.type) {
      case Value::Type::kInteger:
        return std::to_string(v.i);
      case Value::Type::kReal:
        // A whole number bound where an integer belongs, as SQLite would store it.
        if (IsIntegerType(type) && v.r == static_cast<double>(static_cast<int64_t>(v.r)))
          return std::to_string(static_cast<int64_t>(v.r));
        return FormatReal(v.r);
      case Value::Type::kText:
      case Value::Type::kBlob:
        // Bytes where bytea belongs go as its hex form; text where text belongs as is.
        if (type == kByteaOid) return "\\x" + Hex(v.s);
        return v.s;
      default:
        return std::nullopt;
    }
  }

  Status Execute() {
    Q11_RETURN_IF_ERROR(conn_.EnsurePrepared(prepared_));
    std::vector<const char*> params(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      // Parameters travel as C strings, and PostgreSQL's text holds no NUL byte anyway:
      // refuse such a value (as a constraint failure) rather than store it cut short.
      if (values_[i] && values_[i]->find('\0') != std::string::npos)
        return FailedPrecondition(
            "a text value holds a NUL byte, which the database cannot "
            "store / văn bản chứa ký tự NUL");
      params[i] = values_[i] ? values_[i]->c_str() : nullptr;
    }
    PGconn* raw = conn_.connection().raw();
    pg::ResultPtr res(PQexecPrepared(raw, prepared_.name.c_str(), static_cast<int>(params.size()),
                                     params.data(), nullptr, nullptr, /*resultFormat=*/0));
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return pg::StatusFromResult(res.get(), raw, "statement failed (" + prepared_.name + ")");
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
  PgConn::Prepared& prepared_;  // owned by the connection, never removed
  std::vector<std::optional<std::string>> values_;
  pg::ResultPtr res_;
  bool executed_ = false;
  int row_ = -1;
};

}  // namespace

std::string ToPostgresParameters(std::string_view sql, std::vector<int>* slots) {
  std::string out;
  out.reserve(sql.size() + 8);
  std::vector<int> dense(1, 0);  // by SQLite number; [0] unused
  int next_dense = 0;
  auto slot_for = [&](size_t number) {
    if (dense.size() <= number) dense.resize(number + 1, 0);
    if (dense[number] == 0) dense[number] = ++next_dense;
    return dense[number];
  };
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
      // A bare ? is SQLite's largest number so far plus one.
      const size_t number =
          end > i + 1
              ? static_cast<size_t>(std::atoi(std::string(sql.substr(i + 1, end - i - 1)).c_str()))
              : dense.size();
      out += '$' + std::to_string(slot_for(number));
      i = end - 1;
    } else {
      out += c;
    }
  }
  if (slots != nullptr) *slots = std::move(dense);
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

Status PgConn::Exec(std::string_view sql) {
  Q11_RETURN_IF_ERROR(EnsureConnected());
  return conn_.Exec(sql);
}

Status PgConn::EnsureConnected() {
  PGconn* raw = conn_.raw();
  if (PQstatus(raw) != CONNECTION_BAD) return Status::Ok();
  // Inside a transaction the lost work must not go on in autocommit on a new connection:
  // every statement fails until the caller rolls back.
  if (in_transaction_)
    return Unavailable(
        "the connection to the database was lost in the middle of a "
        "transaction; nothing of it was kept / mất kết nối cơ sở dữ liệu");
  PQreset(raw);
  if (PQstatus(raw) != CONNECTION_OK)
    return Unavailable("the database cannot be reached again (" + conn_.safe_url() +
                       "): " + std::string(PQerrorMessage(raw)) + " / mất kết nối cơ sở dữ liệu");
  ++generation_;
  changes_at_begin_ = -1;
  return conn_.Exec("SET bytea_output = 'hex'; SET TIME ZONE 'UTC'");
}

Status PgConn::PrepareOnServer(Prepared& p) {
  PGconn* raw = conn_.raw();
  pg::ResultPtr prepared(PQprepare(raw, p.name.c_str(), p.sql.c_str(), 0, nullptr));
  if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK)
    return pg::StatusFromResult(prepared.get(), raw, "prepare \"" + p.sql.substr(0, 80) + "\"");
  pg::ResultPtr described(PQdescribePrepared(raw, p.name.c_str()));
  if (!described || PQresultStatus(described.get()) != PGRES_COMMAND_OK)
    return pg::StatusFromResult(described.get(), raw, "describe \"" + p.sql.substr(0, 80) + "\"");
  p.types.resize(static_cast<size_t>(PQnparams(described.get())));
  for (size_t i = 0; i < p.types.size(); ++i)
    p.types[i] = PQparamtype(described.get(), static_cast<int>(i));
  p.generation = generation_;
  return Status::Ok();
}

Status PgConn::EnsurePrepared(Prepared& p) {
  Q11_RETURN_IF_ERROR(EnsureConnected());
  if (p.generation == generation_) return Status::Ok();
  return PrepareOnServer(p);
}

Result<SqlStmt> PgConn::Prepare(std::string_view sql) {
  std::vector<int> slots;
  const std::string text = ToPostgresParameters(sql, &slots);
  auto known = prepared_.find(text);
  if (known == prepared_.end()) {
    Prepared p{"q11s" + std::to_string(++next_statement_), text, {}, std::move(slots), -1};
    Q11_RETURN_IF_ERROR(EnsureConnected());
    Q11_RETURN_IF_ERROR(PrepareOnServer(p));
    known = prepared_.emplace(text, std::move(p)).first;
  }
  return SqlStmt(std::make_unique<PgStmt>(*this, known->second));
}

Status PgConn::BeginWrite() {
  Q11_RETURN_IF_ERROR(EnsureConnected());
  in_transaction_ = true;
  Status begun = conn_.Exec("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" +
                            std::to_string(kWriteLockKey) + ")");
  if (!begun.ok()) {
    Rollback();  // callers do not roll back a transaction that did not begin
    return begun;
  }
  changes_at_begin_ = total_changes_;
  return Status::Ok();
}

Status PgConn::BeginRead() {
  Q11_RETURN_IF_ERROR(EnsureConnected());
  changes_at_begin_ = -1;
  in_transaction_ = true;
  Status begun = conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!begun.ok()) Rollback();
  return begun;
}

Status PgConn::Commit() {
  const bool notify = changes_at_begin_ >= 0 && total_changes_ != changes_at_begin_;
  if (notify) {
    // Delivered with the COMMIT to every listening server, once per group commit.
    Status sent = conn_.Exec(std::string("NOTIFY ") + kChangesChannel);
    if (!sent.ok()) {
      Rollback();
      return sent;
    }
  }
  changes_at_begin_ = -1;
  in_transaction_ = false;  // whatever COMMIT answers, the transaction is over
  Result<pg::Rows> done = conn_.Query("COMMIT");
  if (!done.ok()) return done.status();
  if (done->command() == "ROLLBACK")
    return Aborted("the transaction was rolled back (a statement in it had failed)");
  return Status::Ok();
}

void PgConn::Rollback() {
  changes_at_begin_ = -1;
  in_transaction_ = false;
  const PGTransactionStatusType t = PQtransactionStatus(conn_.raw());
  // UNKNOWN: the connection is gone, and the transaction with it (EnsureConnected resets).
  if (t != PQTRANS_IDLE && t != PQTRANS_UNKNOWN) (void)conn_.Exec("ROLLBACK");
}

}  // namespace q11::server
