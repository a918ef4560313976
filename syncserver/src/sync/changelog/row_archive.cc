#include "sync/changelog/row_archive.h"

#include "protocol/json_value.h"

namespace q11::server {
namespace {

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

// The archived row's JSON object as the table's values, as SQLite's json_extract gives
// them: integers, reals, text, NULL.
Result<std::vector<Value>> JsonToRow(const TableShape& shape, std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok() || !parsed->is_object())
    return Internal("an archived row of " + shape.name + " is not a JSON object");
  std::vector<Value> out;
  for (const std::string& column : shape.columns) {
    const json::Value* v = parsed->Find(column);
    if (v == nullptr || v->is_null()) {
      out.push_back(Value::Null());
    } else if (v->type() == json::Value::Type::kInt) {
      out.push_back(Value::Integer(*v->ToInt()));
    } else if (v->is_number()) {
      Value real;
      real.type = Value::Type::kReal;
      real.r = *v->ToDouble();
      out.push_back(real);
    } else if (v->is_string()) {
      out.push_back(Value::Text(v->string()));
    } else {
      out.push_back(Value::Text(v->Write()));
    }
  }
  return out;
}

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
    const bool pg = db.dialect() == SqlDialect::kPostgres;
    Result<SqlStmt> save = db.Prepare(
        "INSERT INTO deleted_rows (tbl, pk, deleted_at, deleted_by, row_json) "
        "SELECT ?1, ?2, ?3, ?4, " +
        (pg ? "json_build_object(" + object + ")::text" : "json_object(" + object + ")") +
        " FROM " + Quoted(s.name) + " WHERE " + Quoted(s.columns[s.pk_column]) +
        " = ?2 ON CONFLICT (tbl, pk) DO UPDATE SET deleted_at = excluded.deleted_at, "
        "deleted_by = excluded.deleted_by, row_json = excluded.row_json");
    if (!save.ok()) return save.status();
    // PostgreSQL's JSON operators give text or jsonb, not the column's own type: the row is
    // read back as JSON text and its values taken apart here (JsonToRow).
    Result<SqlStmt> load = db.Prepare("SELECT " + (pg ? std::string("row_json") : extract) +
                                      " FROM deleted_rows WHERE tbl = ?1 AND pk = ?2");
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
  if (*row && st.ColumnCount() == 1 && shape.columns.size() > 1) {
    Result<std::vector<Value>> values = JsonToRow(shape, st.Text(0));
    if (!values.ok()) {
      st.Reset();
      return values.status();
    }
    out = std::move(*values);
  } else if (*row) {
    out.emplace();
    for (size_t i = 0; i < shape.columns.size(); ++i)
      out->push_back(st.Column(static_cast<int>(i)));
  }
  st.Reset();
  return out;
}

}  // namespace q11::server
