// Walks a SQLite changeset change by change (sqlite3changeset_start/next), with RAII.
// q11sqlite only offers whole-changeset operations; devicecore needs to look inside one
// (which reports an outbox entry touches, what a test expects to have been captured).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "q11sqlite/sqlite.h"

namespace q11::device {

class ChangesetReader {
 public:
  // "changeset" must stay alive and unchanged while the reader is used.
  explicit ChangesetReader(std::string_view changeset);

  // Moves to the next change: true when positioned on one, false at the end.
  // kDataLoss when the bytes are malformed.
  Result<bool> Next();

  // REQUIRES: the last Next() returned true.
  std::string_view table() const { return table_; }
  int op() const { return op_; }  // SQLITE_INSERT, SQLITE_UPDATE or SQLITE_DELETE
  int columns() const { return ncol_; }
  // Old value of column `col` (UPDATE, DELETE) or nullptr (INSERT, or an UPDATE column that
  // did not change and is not part of the key).
  sqlite3_value* Old(int col) const;
  // New value of column `col` (INSERT, UPDATE) or nullptr (DELETE, unchanged UPDATE column).
  sqlite3_value* New(int col) const;
  // New value when present, else old: what the row holds after the change for that column,
  // or what it held before for a DELETE. nullptr when neither is recorded.
  sqlite3_value* Value(int col) const;
  // Column `col` of the row as text, or "" when absent or NULL.
  std::string Text(int col) const;
  // The table and primary-key values of the row, as one string that is equal for the same
  // row in any changeset (for sets of rows).
  std::string RowKey() const;

 private:
  struct Finalizer {
    void operator()(sqlite3_changeset_iter* it) const { sqlite3changeset_finalize(it); }
  };
  std::unique_ptr<sqlite3_changeset_iter, Finalizer> it_;
  int start_rc_ = SQLITE_OK;
  std::string_view table_;
  int op_ = 0;
  int ncol_ = 0;
};

}  // namespace q11::device
