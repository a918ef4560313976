// A JSON value with its parser and writer, for the bodies devices and apps exchange with the
// server and for devicecore's JSON views (devicecore/json.h, the C API). Self-written so the
// device library needs no third-party code beyond SQLite and zstd, and compiles to
// WebAssembly as it is. Pure code, no I/O.
//
// Objects keep their members in the order they were added, and are written in that order.
// Text is UTF-8 and is written as is (Vietnamese stays readable); only what JSON requires is
// escaped (other control characters as \u00XX), byte for byte as the writer devicecore used
// before (Poco's) did. Numbers are int64 when integral and in range, double otherwise.
//
// Parse() is strict (RFC 8259): one value, no comments, no trailing commas, no duplicate
// keys, text must be well-formed UTF-8 and escapes valid, nesting bounded. A refusal is a
// kInvalidArgument Status naming what was wrong and the byte offset where.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/result.h"

namespace q11::json {

class Value;
using Array = std::vector<Value>;
// Members in insertion order. Parse() never yields two members with one key.
using Object = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  enum class Type { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  // Integers are kept exactly; an unsigned value past INT64_MAX becomes a double.
  template <std::integral T>
  requires(!std::same_as<T, bool>) Value(T n) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      if (n > static_cast<T>(INT64_MAX)) {
        v_ = static_cast<double>(n);
        return;
      }
    }
    v_ = static_cast<int64_t>(n);
  }
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Object o) : v_(std::move(o)) {}
  // null when empty.
  template <typename T>
  Value(const std::optional<T>& v) {
    if (v) *this = Value(*v);
  }

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_number() const { return type() == Type::kInt || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // REQUIRES: the matching is_*().
  bool boolean() const { return std::get<bool>(v_); }
  const std::string& string() const { return std::get<std::string>(v_); }
  const Array& array() const { return std::get<Array>(v_); }
  Array& array() { return std::get<Array>(v_); }
  const Object& object() const { return std::get<Object>(v_); }
  Object& object() { return std::get<Object>(v_); }

  // The number as an int64: an integer, or a double with an integral value in range.
  // nullopt for anything else (text "12" included: no guessing).
  std::optional<int64_t> ToInt() const;
  // The number as a double; nullopt when this is not a number.
  std::optional<double> ToDouble() const;

  // The member `key` of an object; nullptr when absent or when this is not an object.
  const Value* Find(std::string_view key) const;
  // The member `key` when it is a string, else `fallback` (absent, null, another type).
  std::string StringOr(std::string_view key, std::string_view fallback = "") const;

  // Sets the member `key` (replacing one of that key in place, else appending). A null
  // value becomes an empty object first. REQUIRES: is_object() or is_null().
  Value& Set(std::string key, Value value);
  // Appends to an array. A null value becomes an empty array first.
  // REQUIRES: is_array() or is_null().
  void Append(Value value);

  // Compact JSON text (no spaces or newlines). A double that is not finite is written null.
  std::string Write() const;
  void WriteTo(std::string& out) const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Array, Object> v_;
};

struct ParseOptions {
  // Arrays and objects nested deeper than this are refused (the parser recurses; hostile
  // input must not exhaust the stack).
  int max_depth = 64;
};

// Parses exactly one JSON value (surrounding whitespace allowed). kInvalidArgument with
// "JSON: <what> at byte <offset>" when the text is not strict JSON.
Result<Value> Parse(std::string_view text, const ParseOptions& options = {});

// `text` as a JSON string literal, quotes included (the writer's escaping).
std::string Quote(std::string_view text);

}  // namespace q11::json
