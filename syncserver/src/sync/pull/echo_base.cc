#include "sync/pull/echo_base.h"

#include <cstdint>
#include <cstring>

namespace q11::server {
namespace {

constexpr char kVersion = 1;

void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetFixed(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

}  // namespace

std::string EncodeEchoBase(const ColumnValues& columns) {
  if (columns.empty()) return std::string();
  std::string out(1, kVersion);
  for (const auto& [col, v] : columns) {
    out.push_back(static_cast<char>(col));
    switch (v.type) {
      case Value::Type::kInteger:
        out.push_back(SQLITE_INTEGER);
        PutFixed(&out, static_cast<uint64_t>(v.i), 8);
        break;
      case Value::Type::kReal: {
        out.push_back(SQLITE_FLOAT);
        uint64_t bits = 0;
        std::memcpy(&bits, &v.r, sizeof bits);
        PutFixed(&out, bits, 8);
        break;
      }
      case Value::Type::kText:
      case Value::Type::kBlob:
        out.push_back(v.type == Value::Type::kText ? SQLITE_TEXT : SQLITE_BLOB);
        PutFixed(&out, v.s.size(), 4);
        out += v.s;
        break;
      default:
        out.push_back(SQLITE_NULL);
        break;
    }
  }
  return out;
}

Result<ColumnValues> DecodeEchoBase(std::string_view in) {
  ColumnValues out;
  if (in.empty()) return out;
  auto bad = [] { return DataLoss("row_log.echo_base is malformed"); };
  if (in[0] != kVersion) return bad();
  size_t at = 1;
  while (at < in.size()) {
    if (in.size() - at < 2) return bad();
    const int col = static_cast<unsigned char>(in[at]);
    const int type = static_cast<unsigned char>(in[at + 1]);
    at += 2;
    Value v;
    switch (type) {
      case SQLITE_INTEGER:
      case SQLITE_FLOAT: {
        if (in.size() - at < 8) return bad();
        uint64_t bits = GetFixed(in, at, 8);
        at += 8;
        if (type == SQLITE_INTEGER) {
          v.type = Value::Type::kInteger;
          v.i = static_cast<int64_t>(bits);
        } else {
          v.type = Value::Type::kReal;
          std::memcpy(&v.r, &bits, sizeof bits);
        }
        break;
      }
      case SQLITE_TEXT:
      case SQLITE_BLOB: {
        if (in.size() - at < 4) return bad();
        const size_t n = GetFixed(in, at, 4);
        at += 4;
        if (in.size() - at < n) return bad();
        v.type = type == SQLITE_TEXT ? Value::Type::kText : Value::Type::kBlob;
        v.s.assign(in.substr(at, n));
        at += n;
        break;
      }
      case SQLITE_NULL:
        v.type = Value::Type::kNull;
        break;
      default:
        return bad();
    }
    out.emplace_back(col, std::move(v));
  }
  return out;
}

}  // namespace q11::server
