// The shape check both sides run on a changeset from the other side before anything
// trusts its table headers: the server on every pushed entry, the device on every pulled
// page, each BEFORE the bytes reach code that applies them.
//
// Why: SQLite matches a changeset's columns by position and believes the column count and
// primary-key flags of each table header. Debian's SQLite 3.40.1 overflows its heap in
// sqlite3changeset_apply on the 242-byte changeset of upstream's sessioncorrupt.test,
// whose second header re-declares table "t" with 64 columns; a header with another column
// count than the live table is skipped with only a log line; a table the side does not
// sync would be written by a pull or refused late by a push. So the headers are walked
// with the iterator (after CheckChangesetFraming, without which the iterator itself hangs
// or over-reads) and refused, naming the table, when
//   - a table is declared twice with two shapes (the sessioncorrupt attack),
//   - a table is not in the caller's list of syncable tables,
//   - its column count or primary-key layout differs from the live schema.
// Whatever the side's own rules add (the server refuses writes to reference tables from
// devices) stays with that side.
//
// Thread safety: the types here are plain values; SyncableTables::Load uses the Db's thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::sql {

// A table's shape as SQLite sees it in a changeset: its name and, per column in order,
// whether the column is part of the primary key. The column count is pk.size().
struct TableLayout {
  std::string name;
  std::vector<bool> pk;

  int columns() const { return static_cast<int>(pk.size()); }
  // "20 columns, key at 0"
  std::string Describe() const;
};

// What was wrong with a changeset's headers. Callers pick the status code by who sent the
// bytes (a device's push is kInvalidArgument, a server's pull is kDataLoss).
enum class ShapeProblem {
  kMalformed,      // framing or iterator error, an empty table name
  kDeclaredTwice,  // one table declared twice with different shapes
  kNotSynced,      // a table outside the caller's syncable list
  kColumnCount,    // another column count than the live table
  kPrimaryKey,     // another primary-key layout than the live table
};

// Which side checks, for the messages ("... on the server" / "... trên thiết bị này").
struct CheckingSide {
  const char* english;     // "the server"
  const char* vietnamese;  // "máy chủ"
};
inline constexpr CheckingSide kServerSide{"the server", "máy chủ"};
inline constexpr CheckingSide kDeviceSide{"this device", "thiết bị này"};

// A refused changeset: the problem, the table it concerns and the facts for the message.
struct ShapeError {
  ShapeProblem problem = ShapeProblem::kMalformed;
  std::string table;  // empty only for kMalformed before any header
  // kMalformed: the whole English message ("malformed changeset at byte 3: ...");
  // kDeclaredTwice: the two shapes ("2 columns, key at 0 vs 64 columns, key at 0").
  std::string detail;
  int changeset_columns = 0;
  int live_columns = 0;  // kColumnCount only

  // "table reports has 14 columns in the changeset, 20 on the server"
  std::string English(CheckingSide side) const;
  // "số cột của bảng reports không khớp với máy chủ"
  std::string Vietnamese(CheckingSide side) const;
  // Status(code, "<English> / <Vietnamese>").
  Status ToStatus(StatusCode code, CheckingSide side) const;
};

// The table headers of one changeset, noted change by change while it is walked (so the
// server's reader, which walks every value anyway, needs no second pass).
class DeclaredTables {
 public:
  // Notes the header of the change the iterator is on (`pk` as sqlite3changeset_pk gives
  // it, `ncol` entries). kDeclaredTwice when `table` was declared before with another
  // shape; kMalformed for an empty name or no columns.
  std::optional<ShapeError> Note(std::string_view table, int ncol, const unsigned char* pk);

  // Each table once, in order of first declaration.
  const std::vector<TableLayout>& tables() const { return tables_; }

 private:
  std::vector<TableLayout> tables_;
  size_t last_ = 0;  // index of the table of the previous change (most changes repeat it)
};

// The live shapes of the tables one side syncs.
class SyncableTables {
 public:
  // Reads each table of `names` with PRAGMA table_info. kFailedPrecondition when one is
  // missing from `db`.
  static Result<SyncableTables> Load(Db& db, const std::vector<std::string>& names);
  // From shapes the caller already holds (the server caches its own).
  explicit SyncableTables(std::vector<TableLayout> tables) : tables_(std::move(tables)) {}
  SyncableTables() = default;

  // nullptr for a table that is not syncable.
  const TableLayout* Find(std::string_view name) const;
  const std::vector<TableLayout>& tables() const { return tables_; }

  // kNotSynced, kColumnCount or kPrimaryKey when `declared` does not fit; nullopt when it
  // does.
  std::optional<ShapeError> Check(const TableLayout& declared) const;

 private:
  std::vector<TableLayout> tables_;
};

// The whole check: the framing, then every change's header with the iterator, then each
// declared table against `live`. nullopt when the changeset may be handed to SQLite's
// apply (an empty changeset passes). Never applies anything and never writes.
std::optional<ShapeError> CheckChangesetShape(std::string_view changeset,
                                              const SyncableTables& live);

}  // namespace q11::sql
