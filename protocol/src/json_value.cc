// q11::json::Value and its writer (protocol/json_value.h).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "json_number.h"
#include "protocol/json_value.h"

namespace q11::json {

std::optional<int64_t> Value::ToInt() const {
  if (type() == Type::kInt) return std::get<int64_t>(v_);
  if (type() != Type::kDouble) return std::nullopt;
  double d = std::get<double>(v_);
  // 2^63 is exact as a double; anything at or above it does not fit.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d)
    return std::nullopt;
  return static_cast<int64_t>(d);
}

std::optional<double> Value::ToDouble() const {
  if (type() == Type::kInt) return static_cast<double>(std::get<int64_t>(v_));
  if (type() == Type::kDouble) return std::get<double>(v_);
  return std::nullopt;
}

const Value* Value::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : object())
    if (k == key) return &v;
  return nullptr;
}

std::string Value::StringOr(std::string_view key, std::string_view fallback) const {
  const Value* v = Find(key);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return v->string();
}

Value& Value::Set(std::string key, Value value) {
  if (is_null()) v_ = Object();
  Object& members = object();
  for (auto& [k, v] : members) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  members.emplace_back(std::move(key), std::move(value));
  return members.back().second;
}

void Value::Append(Value value) {
  if (is_null()) v_ = Array();
  array().push_back(std::move(value));
}

namespace {

void AppendQuoted(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '"';
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;  // UTF-8 bytes pass through
        }
    }
  }
  out += '"';
}

}  // namespace

std::string Quote(std::string_view text) {
  std::string out;
  AppendQuoted(text, out);
  return out;
}

void Value::WriteTo(std::string& out) const {
  switch (type()) {
    case Type::kNull:
      out += "null";
      return;
    case Type::kBool:
      out += boolean() ? "true" : "false";
      return;
    case Type::kInt:
      out += std::to_string(std::get<int64_t>(v_));
      return;
    case Type::kDouble:
      AppendDouble(std::get<double>(v_), out);
      return;
    case Type::kString:
      AppendQuoted(string(), out);
      return;
    case Type::kArray: {
      out += '[';
      bool first = true;
      for (const Value& v : array()) {
        if (!first) out += ',';
        first = false;
        v.WriteTo(out);
      }
      out += ']';
      return;
    }
    case Type::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : object()) {
        if (!first) out += ',';
        first = false;
        AppendQuoted(k, out);
        out += ':';
        v.WriteTo(out);
      }
      out += '}';
      return;
    }
  }
}

std::string Value::Write() const {
  std::string out;
  WriteTo(out);
  return out;
}

}  // namespace q11::json
