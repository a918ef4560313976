#include "sync/push/changeset_reader.h"

#include <memory>

#include "q11sqlite/changeset_framing.h"
#include "q11sqlite/changeset_shape_check.h"

namespace q11::server {
namespace {

struct IterCloser {
  void operator()(sqlite3_changeset_iter* it) const { sqlite3changeset_finalize(it); }
};

// Why the iterator stopped: SQLite running out of memory is the server's trouble, not the
// bytes' (kUnavailable, as sql::FromSqlite says it: the whole push fails and the device
// sends it again later; never a refusal, which the phone would drop; tests/alloc).
// Anything else is a malformed changeset.
Status Unreadable(int rc, const std::string& what) {
  if (rc == SQLITE_NOMEM)
    return Unavailable("out of memory while reading the changeset (" + what + ")");
  return InvalidArgument("malformed changeset: " + what);
}

}  // namespace

Result<DecodedChangeset> ReadChangeset(std::string_view bytes) {
  DecodedChangeset out;
  if (bytes.empty()) return out;
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return InvalidArgument("changeset too large");
  // The iterator is only safe on well-framed bytes (see changeset_framing.h).
  Q11_RETURN_IF_ERROR(sql::CheckChangesetFraming(bytes));
  sqlite3_changeset_iter* raw = nullptr;
  int rc =
      sqlite3changeset_start(&raw, static_cast<int>(bytes.size()), const_cast<char*>(bytes.data()));
  std::unique_ptr<sqlite3_changeset_iter, IterCloser> it(raw);
  if (rc != SQLITE_OK) return Unreadable(rc, sqlite3_errstr(rc));

  sql::DeclaredTables declared;
  TableChanges* current = nullptr;
  while ((rc = sqlite3changeset_next(raw)) == SQLITE_ROW) {
    const char* table = nullptr;
    int ncol = 0, op = 0, indirect = 0;
    if (int r = sqlite3changeset_op(raw, &table, &ncol, &op, &indirect);
        r != SQLITE_OK || table == nullptr)
      return Unreadable(r, "unreadable change header");
    unsigned char* pk_flags = nullptr;
    int pk_ncol = 0;
    if (int r = sqlite3changeset_pk(raw, &pk_flags, &pk_ncol); r != SQLITE_OK || pk_ncol != ncol)
      return Unreadable(r, "unreadable key layout of " + std::string(table));

    // The same table may appear again (SQLite writes one header per table, but a crafted
    // changeset may repeat it); a different shape the second time is the attack above.
    if (std::optional<sql::ShapeError> e = declared.Note(table, ncol, pk_flags))
      return InvalidArgument(e->English(sql::kServerSide));
    if (current == nullptr || current->table != table || current->column_count != ncol) {
      std::vector<bool> pk(static_cast<size_t>(ncol));
      for (int i = 0; i < ncol; ++i) pk[i] = pk_flags[i] != 0;
      out.tables.push_back(TableChanges{table, ncol, std::move(pk), {}});
      current = &out.tables.back();
    }

    RowChange change;
    change.op = op;
    if (op != SQLITE_INSERT && op != SQLITE_UPDATE && op != SQLITE_DELETE)
      return InvalidArgument("malformed changeset: unknown operation on " + current->table);
    if (op != SQLITE_INSERT) {
      change.old_values.resize(ncol);
      for (int i = 0; i < ncol; ++i) {
        sqlite3_value* v = nullptr;
        if (int r = sqlite3changeset_old(raw, i, &v); r != SQLITE_OK)
          return Unreadable(r, "unreadable old value in " + current->table);
        std::optional<Value> value = Value::From(v);
        if (!value) return Unreadable(SQLITE_NOMEM, "a old value in " + current->table);
        change.old_values[i] = std::move(*value);
      }
    }
    if (op != SQLITE_DELETE) {
      change.new_values.resize(ncol);
      for (int i = 0; i < ncol; ++i) {
        sqlite3_value* v = nullptr;
        if (int r = sqlite3changeset_new(raw, i, &v); r != SQLITE_OK)
          return Unreadable(r, "unreadable new value in " + current->table);
        std::optional<Value> value = Value::From(v);
        if (!value) return Unreadable(SQLITE_NOMEM, "a new value in " + current->table);
        change.new_values[i] = std::move(*value);
      }
    }
    current->rows.push_back(std::move(change));
    ++out.row_count;
  }
  if (rc != SQLITE_DONE) return Unreadable(rc, sqlite3_errstr(rc));
  return out;
}

}  // namespace q11::server
