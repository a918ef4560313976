#include "q11sqlite/changeset_encoding.h"

#include <cstring>

namespace q11::sql {
namespace {

void PutBigEndian(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

void AppendChangesetVarint(std::string* out, uint64_t v) {
  uint8_t buf[10];
  int n = 0;
  do {
    buf[n++] = static_cast<uint8_t>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<char>(buf[i] | (i > 0 ? 0x80 : 0)));
}

void AppendChangesetValue(std::string* out, sqlite3_value* v) {
  if (v == nullptr) {
    out->push_back('\0');  // undefined
    return;
  }
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      out->push_back('\1');
      PutBigEndian(out, static_cast<uint64_t>(sqlite3_value_int64(v)));
      return;
    case SQLITE_FLOAT: {
      out->push_back('\2');
      double d = sqlite3_value_double(v);
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      PutBigEndian(out, bits);
      return;
    }
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      const bool text = sqlite3_value_type(v) == SQLITE_TEXT;
      const void* p =
          text ? static_cast<const void*>(sqlite3_value_text(v)) : sqlite3_value_blob(v);
      int n = sqlite3_value_bytes(v);
      out->push_back(text ? '\3' : '\4');
      AppendChangesetVarint(out, static_cast<uint64_t>(n));
      out->append(static_cast<const char*>(p), static_cast<size_t>(n));
      return;
    }
    default:
      out->push_back('\5');  // NULL
  }
}

}  // namespace q11::sql
