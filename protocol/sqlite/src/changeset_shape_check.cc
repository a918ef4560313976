#include "q11sqlite/changeset_shape_check.h"

#include <climits>
#include <memory>

#include "q11sqlite/changeset_framing.h"

namespace q11::sql {
namespace {

struct IterCloser {
  void operator()(sqlite3_changeset_iter* it) const { sqlite3changeset_finalize(it); }
};

ShapeError Malformed(std::string table, std::string detail) {
  ShapeError e;
  e.problem = ShapeProblem::kMalformed;
  e.table = std::move(table);
  e.detail = std::move(detail);
  return e;
}

bool SameShape(const TableLayout& t, int ncol, const unsigned char* pk) {
  if (t.columns() != ncol) return false;
  for (int i = 0; i < ncol; ++i)
    if (t.pk[i] != (pk[i] != 0)) return false;
  return true;
}

TableLayout LayoutOf(std::string_view table, int ncol, const unsigned char* pk) {
  TableLayout t{std::string(table), std::vector<bool>(static_cast<size_t>(ncol))};
  for (int i = 0; i < ncol; ++i) t.pk[i] = pk[i] != 0;
  return t;
}

}  // namespace

std::string TableLayout::Describe() const {
  std::string s = std::to_string(columns()) + " columns, key at";
  for (size_t i = 0; i < pk.size(); ++i)
    if (pk[i]) s += " " + std::to_string(i);
  return s;
}

std::string ShapeError::English(CheckingSide side) const {
  switch (problem) {
    case ShapeProblem::kMalformed:
      return detail;
    case ShapeProblem::kDeclaredTwice:
      return "table " + table + " appears twice with different shapes (" + detail + ")";
    case ShapeProblem::kNotSynced:
      return "unknown table " + table;
    case ShapeProblem::kColumnCount:
      return "table " + table + " has " + std::to_string(changeset_columns) +
             " columns in the changeset, " + std::to_string(live_columns) + " on " + side.english;
    case ShapeProblem::kPrimaryKey:
      return "table " + table + " has another primary-key layout than " + side.english + "'s";
  }
  return "bad changeset";
}

std::string ShapeError::Vietnamese(CheckingSide side) const {
  switch (problem) {
    case ShapeProblem::kMalformed:
      return "dữ liệu thay đổi bị hỏng";
    case ShapeProblem::kDeclaredTwice:
      return "bảng " + table + " xuất hiện hai lần với cấu trúc khác nhau";
    case ShapeProblem::kNotSynced:
      return "bảng không đồng bộ: " + table;
    case ShapeProblem::kColumnCount:
      return "số cột của bảng " + table + " không khớp với " + side.vietnamese;
    case ShapeProblem::kPrimaryKey:
      return "khóa chính của bảng " + table + " không khớp với " + side.vietnamese;
  }
  return "dữ liệu thay đổi không hợp lệ";
}

Status ShapeError::ToStatus(StatusCode code, CheckingSide side) const {
  return Status(code, English(side) + " / " + Vietnamese(side));
}

std::optional<ShapeError> DeclaredTables::Note(std::string_view table, int ncol,
                                               const unsigned char* pk) {
  if (table.empty() || ncol <= 0 || pk == nullptr)
    return Malformed(std::string(table), "malformed changeset: empty table header");
  if (last_ < tables_.size() && tables_[last_].name == table && SameShape(tables_[last_], ncol, pk))
    return std::nullopt;
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (tables_[i].name != table) continue;
    // SQLite writes one header per table, but a crafted changeset may repeat it; a second
    // shape is the attack of sessioncorrupt.test (see the header comment).
    if (!SameShape(tables_[i], ncol, pk)) {
      ShapeError e;
      e.problem = ShapeProblem::kDeclaredTwice;
      e.table = std::string(table);
      e.detail = tables_[i].Describe() + " vs " + LayoutOf(table, ncol, pk).Describe();
      e.changeset_columns = ncol;
      return e;
    }
    last_ = i;
    return std::nullopt;
  }
  tables_.push_back(LayoutOf(table, ncol, pk));
  last_ = tables_.size() - 1;
  return std::nullopt;
}

Result<SyncableTables> SyncableTables::Load(Db& db, const std::vector<std::string>& names) {
  Result<Statement> st = db.Prepare("SELECT pk FROM pragma_table_info(?1) ORDER BY cid");
  if (!st.ok()) return st.status();
  std::vector<TableLayout> tables;
  for (const std::string& name : names) {
    TableLayout t{name, {}};
    st->Bind(1, name);
    for (;;) {
      Result<bool> row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      t.pk.push_back(st->Int(0) > 0);
    }
    st->Reset();
    if (t.pk.empty()) return FailedPrecondition("syncable table " + name + " is missing");
    tables.push_back(std::move(t));
  }
  return SyncableTables(std::move(tables));
}

const TableLayout* SyncableTables::Find(std::string_view name) const {
  for (const TableLayout& t : tables_)
    if (t.name == name) return &t;
  return nullptr;
}

std::optional<ShapeError> SyncableTables::Check(const TableLayout& declared) const {
  ShapeError e;
  e.table = declared.name;
  e.changeset_columns = declared.columns();
  const TableLayout* live = Find(declared.name);
  if (live == nullptr) {
    e.problem = ShapeProblem::kNotSynced;
    return e;
  }
  if (declared.columns() != live->columns()) {
    e.problem = ShapeProblem::kColumnCount;
    e.live_columns = live->columns();
    return e;
  }
  if (declared.pk != live->pk) {
    e.problem = ShapeProblem::kPrimaryKey;
    return e;
  }
  return std::nullopt;
}

std::optional<ShapeError> CheckChangesetShape(std::string_view changeset,
                                              const SyncableTables& live) {
  if (changeset.empty()) return std::nullopt;
  if (changeset.size() > static_cast<size_t>(INT_MAX))
    return Malformed("", "malformed changeset: too large");
  // The iterator is only safe on well-framed bytes (changeset_framing.h).
  if (Status framing = CheckChangesetFraming(changeset); !framing.ok())
    return Malformed("", framing.message());  // "malformed changeset at byte N: ..."
  sqlite3_changeset_iter* raw = nullptr;
  int rc = sqlite3changeset_start(&raw, static_cast<int>(changeset.size()),
                                  const_cast<char*>(changeset.data()));
  std::unique_ptr<sqlite3_changeset_iter, IterCloser> it(raw);
  if (rc != SQLITE_OK)
    return Malformed("", "malformed changeset (" + std::string(sqlite3_errstr(rc)) + ")");
  DeclaredTables declared;
  // Every change, not only each header: sqlite3changeset_next is what reads (and so
  // checks) each record, and a header may come after any change.
  while ((rc = sqlite3changeset_next(raw)) == SQLITE_ROW) {
    const char* table = nullptr;
    int ncol = 0, op = 0, indirect = 0;
    if (sqlite3changeset_op(raw, &table, &ncol, &op, &indirect) != SQLITE_OK || table == nullptr)
      return Malformed("", "malformed changeset: unreadable change header");
    unsigned char* pk = nullptr;
    int pk_ncol = 0;
    if (sqlite3changeset_pk(raw, &pk, &pk_ncol) != SQLITE_OK || pk_ncol != ncol)
      return Malformed(table,
                       "malformed changeset: unreadable key layout of " + std::string(table));
    if (std::optional<ShapeError> e = declared.Note(table, ncol, pk)) return e;
  }
  if (rc != SQLITE_DONE)
    return Malformed("", "malformed changeset (" + std::string(sqlite3_errstr(rc)) + ")");
  for (const TableLayout& t : declared.tables())
    if (std::optional<ShapeError> e = live.Check(t)) return e;
  return std::nullopt;
}

}  // namespace q11::sql
