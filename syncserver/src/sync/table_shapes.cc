#include "sync/table_shapes.h"

#include "protocol/schema.h"

namespace q11::server {

int TableShape::Index(std::string_view column) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == column) return static_cast<int>(i);
  return -1;
}

namespace {

// The value of a column's DEFAULT clause (an SQL expression as PRAGMA table_info gives it).
Result<Value> DefaultValue(sql::Db& db, const std::string& expression) {
  if (expression.empty()) return Value::Null();
  Result<sql::Statement> st = db.Prepare("SELECT " + expression);
  if (!st.ok()) return st.status();
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row || st->IsNull(0)) return Value::Null();
  std::optional<Value> v = Value::From(sqlite3_column_value(st->get(), 0));
  if (!v) return Unavailable("out of memory reading the default of a column");
  return *v;
}

}  // namespace

Result<TableShapes> TableShapes::Load(sql::Db& db) {
  TableShapes out;
  for (std::string_view name : schema::kSyncedTables) {
    TableShape shape;
    shape.name = std::string(name);
    Result<sql::Statement> st =
        db.Prepare("SELECT name, pk, dflt_value FROM pragma_table_info(?1) ORDER BY cid");
    if (!st.ok()) return st.status();
    st->Bind(1, name);
    int pk_count = 0;
    for (;;) {
      Result<bool> row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      shape.columns.push_back(st->Text(0));
      Result<Value> fallback = DefaultValue(db, st->IsNull(2) ? "" : st->Text(2));
      if (!fallback.ok()) return fallback.status();
      shape.defaults.push_back(std::move(*fallback));
      bool is_pk = st->Int(1) > 0;
      shape.pk.push_back(is_pk);
      if (is_pk) {
        ++pk_count;
        shape.pk_column = static_cast<int>(shape.columns.size()) - 1;
      }
    }
    if (shape.columns.empty())
      return FailedPrecondition("synced table " + shape.name + " is missing");
    // The change log keys rows by one text primary key; a composite key would need an
    // encoding there first.
    if (pk_count != 1)
      return FailedPrecondition("synced table " + shape.name +
                                " must have a single-column primary key");
    out.tables_.push_back(std::move(shape));
  }
  std::vector<sql::TableLayout> layouts;
  for (const TableShape& t : out.tables_) layouts.push_back({t.name, t.pk});
  out.layouts_ = sql::SyncableTables(std::move(layouts));
  return out;
}

const TableShape* TableShapes::Find(std::string_view table) const {
  for (const TableShape& t : tables_)
    if (t.name == table) return &t;
  return nullptr;
}

}  // namespace q11::server
