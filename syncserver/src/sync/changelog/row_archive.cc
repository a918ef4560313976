#include "sync/changelog/row_archive.h"

namespace q11::server {
namespace {

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

Result<std::unique_ptr<RowArchive>> RowArchive::Create(SqlConn& db, const TableShapes& shapes) {
  std::unique_ptr<RowArchive> a(new RowArchive());
  for (const TableShape& s : shapes.all()) {
    std::string object, extract;
    for (size_t i = 0; i < s.columns.size(); ++i) {
      // Column names come from our own schema (PRAGMA table_info): plain identifiers.
      object += (i ? ", '" : "'") + s.columns[i] + "', " + Quoted(s.columns[i]);
      extract += (i ? ", " : "") + std::string("json_extract(row_json, '$.") + s.columns[i] + "')";
    }
    Result<SqlStmt> save = db.Prepare(
        "INSERT OR REPLACE INTO deleted_rows (tbl, pk, deleted_at, deleted_by, row_json) "
        "SELECT ?1, ?2, ?3, ?4, json_object(" +
        object + ") FROM " + Quoted(s.name) + " WHERE " + Quoted(s.columns[s.pk_column]) + " = ?2");
    if (!save.ok()) return save.status();
    Result<SqlStmt> load =
        db.Prepare("SELECT " + extract + " FROM deleted_rows WHERE tbl = ?1 AND pk = ?2");
    if (!load.ok()) return load.status();
    a->tables_.emplace(s.name, TableStatements{std::move(*save), std::move(*load)});
  }
  return a;
}

Status RowArchive::Save(const TableShape& shape, const Value& pk, std::string_view deleted_by,
                        std::string_view deleted_at) {
  auto it = tables_.find(shape.name);
  if (it == tables_.end()) return Internal("no archive statements for " + shape.name);
  SqlStmt& st = it->second.save;
  st.Bind(1, shape.name);
  st.BindRef(2, pk);
  st.Bind(3, deleted_at).Bind(4, deleted_by);
  return st.Run();
}

Result<std::optional<std::vector<Value>>> RowArchive::Load(const TableShape& shape,
                                                           std::string_view pk) {
  auto it = tables_.find(shape.name);
  if (it == tables_.end()) return Internal("no archive statements for " + shape.name);
  SqlStmt& st = it->second.load;
  st.Bind(1, shape.name).Bind(2, pk);
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  std::optional<std::vector<Value>> out;
  if (*row) {
    out.emplace();
    for (size_t i = 0; i < shape.columns.size(); ++i)
      out->push_back(st.Column(static_cast<int>(i)));
  }
  st.Reset();
  return out;
}

}  // namespace q11::server
