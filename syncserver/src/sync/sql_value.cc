#include "sync/sql_value.h"

#include <cstdio>

namespace q11::server {
namespace {

Value FromParts(int type, int64_t i, double r, const void* bytes, int n) {
  Value v;
  switch (type) {
    case SQLITE_NULL:
      v.type = Value::Type::kNull;
      break;
    case SQLITE_INTEGER:
      v.type = Value::Type::kInteger;
      v.i = i;
      break;
    case SQLITE_FLOAT:
      v.type = Value::Type::kReal;
      v.r = r;
      break;
    case SQLITE_TEXT:
      v.type = Value::Type::kText;
      if (n > 0) v.s.assign(static_cast<const char*>(bytes), static_cast<size_t>(n));
      break;
    default:
      v.type = Value::Type::kBlob;
      if (n > 0) v.s.assign(static_cast<const char*>(bytes), static_cast<size_t>(n));
      break;
  }
  return v;
}

}  // namespace

std::optional<Value> Value::From(sqlite3_value* sv) {
  if (sv == nullptr) return Value{};
  int type = sqlite3_value_type(sv);
  switch (type) {
    case SQLITE_INTEGER:
      return FromParts(type, sqlite3_value_int64(sv), 0, nullptr, 0);
    case SQLITE_FLOAT:
      return FromParts(type, 0, sqlite3_value_double(sv), nullptr, 0);
    case SQLITE_TEXT: {
      const unsigned char* t = sqlite3_value_text(sv);
      if (t == nullptr) return std::nullopt;  // out of memory (text is never NULL else)
      return FromParts(type, 0, 0, t, sqlite3_value_bytes(sv));
    }
    case SQLITE_BLOB: {
      const void* b = sqlite3_value_blob(sv);
      const int n = sqlite3_value_bytes(sv);
      if (b == nullptr && n > 0) return std::nullopt;
      return FromParts(type, 0, 0, b, n);
    }
    default:
      return Value::Null();
  }
}

Value ColumnValue(sqlite3_stmt* stmt, int col) {
  int type = sqlite3_column_type(stmt, col);
  switch (type) {
    case SQLITE_INTEGER:
      return FromParts(type, sqlite3_column_int64(stmt, col), 0, nullptr, 0);
    case SQLITE_FLOAT:
      return FromParts(type, 0, sqlite3_column_double(stmt, col), nullptr, 0);
    case SQLITE_TEXT: {
      const unsigned char* t = sqlite3_column_text(stmt, col);
      return FromParts(type, 0, 0, t, sqlite3_column_bytes(stmt, col));
    }
    case SQLITE_BLOB: {
      const void* b = sqlite3_column_blob(stmt, col);
      return FromParts(type, 0, 0, b, sqlite3_column_bytes(stmt, col));
    }
    default:
      return Value::Null();
  }
}

bool SameValue(const Value& a, const Value& b) {
  using T = Value::Type;
  if (a.type == T::kInteger && b.type == T::kReal) return static_cast<double>(a.i) == b.r;
  if (a.type == T::kReal && b.type == T::kInteger) return a.r == static_cast<double>(b.i);
  if (a.type != b.type) return false;
  switch (a.type) {
    case T::kUndefined:
    case T::kNull:
      return true;
    case T::kInteger:
      return a.i == b.i;
    case T::kReal:
      return a.r == b.r;
    case T::kText:
    case T::kBlob:
      return a.s == b.s;
  }
  return false;
}

int BindValue(sqlite3_stmt* stmt, int i, const Value& v) {
  switch (v.type) {
    case Value::Type::kInteger:
      return sqlite3_bind_int64(stmt, i, v.i);
    case Value::Type::kReal:
      return sqlite3_bind_double(stmt, i, v.r);
    case Value::Type::kText:
      return sqlite3_bind_text64(stmt, i, v.s.data(), v.s.size(), SQLITE_STATIC, SQLITE_UTF8);
    case Value::Type::kBlob:
      return sqlite3_bind_blob64(stmt, i, v.s.data(), v.s.size(), SQLITE_STATIC);
    case Value::Type::kNull:
    case Value::Type::kUndefined:
      return sqlite3_bind_null(stmt, i);
  }
  return SQLITE_MISUSE;
}

std::string Value::Describe() const {
  constexpr size_t kMaxShown = 60;
  switch (type) {
    case Type::kUndefined:
      return "(unchanged)";
    case Type::kNull:
      return "NULL";
    case Type::kInteger:
      return std::to_string(i);
    case Type::kReal: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", r);
      return buf;
    }
    case Type::kText:
      if (s.size() > kMaxShown) {
        size_t cut = kMaxShown;  // do not split a UTF-8 sequence
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
        return "'" + s.substr(0, cut) + "…'";
      }
      return "'" + s + "'";
    case Type::kBlob:
      return "<blob of " + std::to_string(s.size()) + " bytes>";
  }
  return "?";
}

FieldValue ToField(const Value& v) {
  switch (v.type) {
    case Value::Type::kInteger:
      return FieldValue::Integer(v.i);
    case Value::Type::kReal:
      return FieldValue::Real(v.r);
    case Value::Type::kText:
    case Value::Type::kBlob:
      return FieldValue::Text(v.s);
    default:
      return FieldValue::Null();
  }
}

Value FromField(const FieldValue& f) {
  Value v;
  switch (f.type) {
    case FieldValue::Type::kInteger:
      return Value::Integer(f.i);
    case FieldValue::Type::kReal:
      v.type = Value::Type::kReal;
      v.r = f.r;
      return v;
    case FieldValue::Type::kText:
      return Value::Text(f.s);
    default:
      return Value::Null();
  }
}

}  // namespace q11::server
