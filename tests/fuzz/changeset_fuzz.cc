// Fuzz target: a pushed changeset as the server first meets it. The framing check
// (q11sqlite/changeset_framing.h) runs on the raw bytes; only what it passes is walked with
// SQLite's changeset iterator, reading every header, key layout and value the way
// syncserver/src/sync/push/changeset_reader.cc does (the walk is repeated here so that the target
// needs neither Poco nor the server library).
//
// Properties: never crash, never hang, never read outside the buffer. The framing check
// exists because Debian's SQLite 3.40.1 iterator spins forever on the single byte "T" and
// over-reads truncated varints: a framing pass followed by an iterator error, spin or
// over-read is a bug in the check.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "q11sqlite/changeset_framing.h"

namespace {

volatile unsigned char g_sink;  // keeps the byte reads below from being optimised away

// Touches a value the way the server's Value::From does (type, then the bytes).
void ReadValue(sqlite3_value* v) {
  if (v == nullptr) return;  // undefined (not part of an UPDATE)
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      (void)sqlite3_value_int64(v);
      break;
    case SQLITE_FLOAT:
      (void)sqlite3_value_double(v);
      break;
    case SQLITE_TEXT: {
      const unsigned char* t = sqlite3_value_text(v);
      int n = sqlite3_value_bytes(v);
      if (n > 0 && t == nullptr) std::abort();
      unsigned char sum = 0;
      for (int i = 0; i < n; ++i) sum ^= t[i];  // ASan checks every byte is in bounds
      g_sink = sum;
      break;
    }
    case SQLITE_BLOB: {
      const unsigned char* b = static_cast<const unsigned char*>(sqlite3_value_blob(v));
      int n = sqlite3_value_bytes(v);
      unsigned char sum = 0;
      for (int i = 0; i < n; ++i) sum ^= b[i];
      g_sink = sum;
      break;
    }
    default:
      break;
  }
}

void Walk(std::string_view bytes) {
  sqlite3_changeset_iter* it = nullptr;
  if (sqlite3changeset_start(&it, static_cast<int>(bytes.size()),
                             const_cast<char*>(bytes.data())) != SQLITE_OK)
    return;
  int rc;
  while ((rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
    const char* table = nullptr;
    int ncol = 0, op = 0, indirect = 0;
    if (sqlite3changeset_op(it, &table, &ncol, &op, &indirect) != SQLITE_OK) break;
    unsigned char* pk = nullptr;
    int pk_ncol = 0;
    if (sqlite3changeset_pk(it, &pk, &pk_ncol) != SQLITE_OK) break;
    if (table != nullptr) (void)std::string(table);
    for (int i = 0; i < ncol; ++i) {
      sqlite3_value* v = nullptr;
      if (op != SQLITE_INSERT && sqlite3changeset_old(it, i, &v) == SQLITE_OK) ReadValue(v);
      v = nullptr;
      if (op != SQLITE_DELETE && sqlite3changeset_new(it, i, &v) == SQLITE_OK) ReadValue(v);
    }
  }
  sqlite3changeset_finalize(it);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.empty() || !q11::sql::CheckChangesetFraming(bytes).ok()) return 0;
  Walk(bytes);
  return 0;
}
