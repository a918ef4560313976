// One SQLite value held by the server while it checks and merges a pushed change.
//
// Changeset values are only valid while the iterator sits on their row, but the server
// validates a whole entry before applying any of it, so it copies them into Values. The
// comparison is SQLite's IS: NULL equals NULL, an integer equals the same real number.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "syncserver/conflict.h"

namespace q11::server {

struct Value {
  enum class Type : uint8_t { kUndefined, kNull, kInteger, kReal, kText, kBlob };
  Type type = Type::kUndefined;  // kUndefined: "not in this change" (changeset UPDATEs)
  int64_t i = 0;
  double r = 0;
  std::string s;  // text or blob bytes

  // nullptr (as sqlite3changeset_old/new give for unchanged columns) → kUndefined.
  // nullopt when SQLite ran out of memory making the text readable (a changeset's text
  // is not NUL-terminated, so sqlite3_value_text copies it): never an empty string.
  static std::optional<Value> From(sqlite3_value* v);
  static Value Null() {
    Value v;
    v.type = Type::kNull;
    return v;
  }
  static Value Text(std::string_view t) {
    Value v;
    v.type = Type::kText;
    v.s.assign(t);
    return v;
  }
  static Value Integer(int64_t n) {
    Value v;
    v.type = Type::kInteger;
    v.i = n;
    return v;
  }

  bool defined() const { return type != Type::kUndefined; }
  bool is_null() const { return type == Type::kNull; }
  bool is_text() const { return type == Type::kText; }
  // Text, or empty for anything else.
  std::string_view text() const {
    return type == Type::kText ? std::string_view(s) : std::string_view();
  }
  // "NULL", "42", "'abc'", "<blob of N bytes>", "(unchanged)"; long text is shortened.
  std::string Describe() const;
};

// SQLite's IS. Undefined equals only undefined.
bool SameValue(const Value& a, const Value& b);

// Binds `v` to parameter `i` (1-based). The Value must outlive the statement's next step
// (bound without copying). REQUIRES: v.defined().
int BindValue(sqlite3_stmt* stmt, int i, const Value& v);

// The value of column `col` of the current row.
Value ColumnValue(sqlite3_stmt* stmt, int col);

// Between the admin API's FieldValue and Value. Blobs (no synced column holds one) show as
// their bytes in text; undefined as NULL.
FieldValue ToField(const Value& v);
Value FromField(const FieldValue& f);

}  // namespace q11::server
