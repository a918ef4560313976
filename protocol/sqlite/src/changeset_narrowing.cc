#include "q11sqlite/changeset_narrowing.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "q11sqlite/changeset_framing.h"
#include "q11sqlite/sqlite.h"

namespace q11::sql {
namespace {

void PutVarint(std::string* out, uint64_t v) {
  uint8_t buf[10];
  int n = 0;
  do {
    buf[n++] = static_cast<uint8_t>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  for (int i = n - 1; i >= 0; --i) out->push_back(static_cast<char>(buf[i] | (i > 0 ? 0x80 : 0)));
}

void PutBigEndian(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// One value as the changeset format writes it (changeset_framing.h, "value").
void PutValue(std::string* out, sqlite3_value* v) {
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
      PutVarint(out, static_cast<uint64_t>(n));
      out->append(static_cast<const char*>(p), static_cast<size_t>(n));
      return;
    }
    default:
      out->push_back('\5');  // NULL
  }
}

struct IterFinalizer {
  void operator()(sqlite3_changeset_iter* it) const { sqlite3changeset_finalize(it); }
};

}  // namespace

Result<std::string> NarrowChangeset(std::string_view changeset, const ColumnsOf& columns_of) {
  if (changeset.empty()) return std::string();
  Q11_RETURN_IF_ERROR(CheckChangesetFraming(changeset));
  sqlite3_changeset_iter* raw = nullptr;
  int rc = sqlite3changeset_start(&raw, static_cast<int>(changeset.size()),
                                  const_cast<char*>(changeset.data()));
  std::unique_ptr<sqlite3_changeset_iter, IterFinalizer> it(raw);
  if (rc != SQLITE_OK) return InvalidArgument("cannot read the changeset to narrow it");
  std::string out, header, current_table;
  bool header_written = false;
  int keep = 0;
  while ((rc = sqlite3changeset_next(it.get())) == SQLITE_ROW) {
    const char* table = nullptr;
    int ncol = 0, op = 0, indirect = 0;
    if (sqlite3changeset_op(it.get(), &table, &ncol, &op, &indirect) != SQLITE_OK)
      return InvalidArgument("cannot read a change to narrow it");
    if (current_table != table) {  // a new table header
      current_table = table;
      unsigned char* pk = nullptr;
      int pk_cols = 0;
      if (sqlite3changeset_pk(it.get(), &pk, &pk_cols) != SQLITE_OK)
        return InvalidArgument("cannot read the key of table " + current_table);
      const int want = columns_of(current_table);
      if (want < 0) return InvalidArgument("no column count for table " + current_table);
      keep = std::min(ncol, want);
      for (int c = keep; keep > 0 && c < ncol; ++c)
        if (pk[c])
          return InvalidArgument("table " + current_table + ": key column " + std::to_string(c) +
                                 " is past the reader's " + std::to_string(keep) + " columns");
      header.assign("T");
      PutVarint(&header, static_cast<uint64_t>(keep));
      for (int c = 0; c < keep; ++c) header.push_back(static_cast<char>(pk[c]));
      header += current_table;
      header.push_back('\0');
      header_written = false;
    }
    if (keep == 0) continue;
    std::string change;
    change.push_back(static_cast<char>(op));
    change.push_back(static_cast<char>(indirect));
    bool changed_kept_column = op != SQLITE_UPDATE;
    auto record = [&](auto read, bool is_new) -> Status {
      for (int c = 0; c < keep; ++c) {
        sqlite3_value* v = nullptr;
        if (read(it.get(), c, &v) != SQLITE_OK) return InvalidArgument("cannot read a value");
        if (is_new && v != nullptr) changed_kept_column = true;
        PutValue(&change, v);
      }
      return Status::Ok();
    };
    if (op != SQLITE_INSERT) Q11_RETURN_IF_ERROR(record(sqlite3changeset_old, false));
    if (op != SQLITE_DELETE) Q11_RETURN_IF_ERROR(record(sqlite3changeset_new, op == SQLITE_UPDATE));
    if (!changed_kept_column) continue;
    if (!header_written) {
      out += header;
      header_written = true;
    }
    out += change;
  }
  if (rc != SQLITE_DONE) return InvalidArgument("cannot read the changeset to narrow it");
  return out;
}

}  // namespace q11::sql
