#include "q11sqlite/changeset_narrowing.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "q11sqlite/changeset_encoding.h"
#include "q11sqlite/changeset_framing.h"
#include "q11sqlite/sqlite.h"

namespace q11::sql {
namespace {

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
      AppendChangesetVarint(&header, static_cast<uint64_t>(keep));
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
        AppendChangesetValue(&change, v);
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
