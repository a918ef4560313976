#include "sync/merge/table_writer.h"

namespace q11::server {
namespace {

// Identifiers come from PRAGMA table_info of our own schema, but quote them anyway.
std::string Quoted(const std::string& name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace

Result<std::unique_ptr<TableWriter>> TableWriter::Create(SqlConn& db, const TableShape& shape) {
  std::unique_ptr<TableWriter> w(new TableWriter(db, shape));
  std::string cols, params;
  for (size_t i = 0; i < shape.columns.size(); ++i) {
    if (i > 0) {
      cols += ", ";
      params += ", ";
    }
    cols += Quoted(shape.columns[i]);
    params += "?" + std::to_string(i + 1);
  }
  const std::string table = Quoted(shape.name), key = Quoted(shape.columns[shape.pk_column]);
  Result<SqlStmt> select =
      db.Prepare("SELECT " + cols + " FROM " + table + " WHERE " + key + " = ?1");
  if (!select.ok()) return select.status();
  Result<SqlStmt> insert =
      // ON CONFLICT on the key only: the insert and its existence check in one descent.
      db.Prepare("INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON CONFLICT (" +
                 key + ") DO NOTHING");
  if (!insert.ok()) return insert.status();
  Result<SqlStmt> remove = db.Prepare("DELETE FROM " + table + " WHERE " + key + " = ?1");
  if (!remove.ok()) return remove.status();
  w->delete_ = std::move(*remove);
  w->select_ = std::move(*select);
  w->insert_ = std::move(*insert);
  return w;
}

Result<bool> TableWriter::Read(const Value& pk, std::vector<Value>* row) {
  select_.BindRef(1, pk);
  Result<bool> found = select_.Step();
  if (found.ok() && *found) {
    int n = select_.ColumnCount();
    row->resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) (*row)[i] = select_.Column(i);
  }
  select_.Reset();
  return found;
}

Result<bool> TableWriter::Insert(const std::vector<Value>& row) {
  for (size_t i = 0; i < row.size(); ++i) insert_.BindRef(static_cast<int>(i + 1), row[i]);
  Status s = insert_.Run();
  if (!s.ok()) return Status(s.code(), "insert into " + shape_.name + ": " + s.message());
  return db_.Changes() > 0;
}

Result<SqlStmt*> TableWriter::UpdateStatement(const std::vector<int>& columns) {
  uint64_t mask = 0;
  for (int c : columns) mask |= uint64_t{1} << c;
  auto it = updates_.find(mask);
  if (it != updates_.end()) return &it->second;
  // Parameter i+1 is column i, so binding is the same for every column set.
  std::string sql = "UPDATE " + Quoted(shape_.name) + " SET ";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += Quoted(shape_.columns[columns[i]]) + " = ?" + std::to_string(columns[i] + 1);
  }
  sql += " WHERE " + Quoted(shape_.columns[shape_.pk_column]) + " = ?" +
         std::to_string(shape_.pk_column + 1);
  Result<SqlStmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  return &updates_.emplace(mask, std::move(*st)).first->second;
}

Status TableWriter::Update(const Value& pk, const std::vector<int>& columns,
                           const std::vector<Value>& row) {
  if (shape_.columns.size() > 64)
    return Internal("table " + shape_.name + " has too many columns to update");
  Result<SqlStmt*> st = UpdateStatement(columns);
  if (!st.ok()) return st.status();
  SqlStmt& s = **st;
  for (int c : columns) s.BindRef(c + 1, row[c]);
  s.BindRef(shape_.pk_column + 1, pk);
  Status r = s.Run();
  if (!r.ok()) return Status(r.code(), "update " + shape_.name + ": " + r.message());
  return r;
}

Status TableWriter::Delete(const Value& pk) {
  delete_.BindRef(1, pk);
  Status s = delete_.Run();
  if (!s.ok()) return Status(s.code(), "delete from " + shape_.name + ": " + s.message());
  return s;
}

}  // namespace q11::server
