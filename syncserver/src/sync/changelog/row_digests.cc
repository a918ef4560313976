#include "sync/changelog/row_digests.h"

#include "protocol/schema.h"

namespace q11::server {
namespace {

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

std::string ColumnList(const TableShape& s) {
  std::string cols;
  for (size_t i = 0; i < s.columns.size(); ++i) cols += (i ? ", " : "") + Quoted(s.columns[i]);
  return cols;
}

}  // namespace

Result<std::unique_ptr<RowDigests>> RowDigests::Create(SqlConn& db, const TableShapes& shapes) {
  std::unique_ptr<RowDigests> d(new RowDigests(shapes));
  d->direct_ = db.dialect() == SqlDialect::kSqlite;
  Result<SqliteConn> scratch = OpenSqliteConn(":memory:");
  if (!scratch.ok()) return scratch.status();
  d->scratch_ = std::move(*scratch);
  Q11_RETURN_IF_ERROR(d->scratch_.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF"));
  Q11_RETURN_IF_ERROR(d->scratch_.Exec(schema::SyncedTablesSql()));
  d->tables_.resize(shapes.all().size());
  for (size_t t = 0; t < shapes.all().size(); ++t) {
    const TableShape& s = shapes.all()[t];
    Table& c = d->tables_[t];
    std::string params;
    for (size_t i = 0; i < s.columns.size(); ++i)
      params += (i ? ", ?" : "?") + std::to_string(i + 1);
    struct {
      SqlConn* conn;
      SqlStmt* target;
      std::string sql;
    } statements[] = {
        {&db, &c.read,
         "SELECT " + ColumnList(s) + " FROM " + Quoted(s.name) + " WHERE " +
             Quoted(s.columns[s.pk_column]) + " = ?1"},
        // The same statement as the pull's copy (pull_builder.cc), so the same affinity.
        {&d->scratch_, &c.insert,
         "INSERT OR REPLACE INTO " + Quoted(s.name) + " VALUES (" + params + ")"},
        {&d->scratch_, &c.select, "SELECT " + ColumnList(s) + " FROM " + Quoted(s.name)},
        {&d->scratch_, &c.clear, "DELETE FROM " + Quoted(s.name)},
    };
    for (auto& st : statements) {
      Result<SqlStmt> p = st.conn->Prepare(st.sql);
      if (!p.ok()) return p.status();
      *st.target = std::move(*p);
    }
  }
  return d;
}

std::string RowDigests::SelectAllSql(size_t table) const {
  const TableShape& s = shapes_.all()[table];
  return "SELECT " + ColumnList(s) + " FROM " + Quoted(s.name);
}

namespace {

void AddValue(wire::RowDigester& digest, const Value& v) {
  switch (v.type) {
    case Value::Type::kInteger:
      digest.AddInteger(v.i);
      break;
    case Value::Type::kReal:
      digest.AddReal(v.r);
      break;
    case Value::Type::kText:
      digest.AddText(v.s);
      break;
    case Value::Type::kBlob:
      digest.AddBlob(v.s);
      break;
    default:
      digest.AddNull();
  }
}

}  // namespace

Result<wire::Digest128> RowDigests::OfColumns(size_t table, const SqlStmt& row) {
  const TableShape& s = shapes_.all()[table];
  const int n = static_cast<int>(s.columns.size());
  if (direct_) {
    // SQLite's own tables are made from the synced DDL: the stored values already are what
    // the scratch copy would hold (a third of a push's digest cost saved).
    wire::RowDigester digest(s.name);
    for (int i = 0; i < n; ++i) AddValue(digest, row.Column(i));
    return digest.Finish();
  }
  Table& c = tables_[table];
  for (int i = 0; i < n; ++i) c.insert.Bind(i + 1, row.Column(i));
  Q11_RETURN_IF_ERROR(c.insert.Run());
  Result<bool> got = c.select.Step();
  if (!got.ok() || !*got) {
    c.select.Reset();
    (void)c.clear.Run();
    if (!got.ok()) return got.status();
    return Internal("the scratch copy of a " + s.name + " row is missing");
  }
  wire::RowDigester digest(s.name);
  for (int i = 0; i < n; ++i) AddValue(digest, c.select.Column(i));
  c.select.Reset();
  Q11_RETURN_IF_ERROR(c.clear.Run());
  return digest.Finish();
}

Result<std::optional<wire::Digest128>> RowDigests::Of(std::string_view table, std::string_view pk) {
  size_t t = 0;
  while (t < shapes_.all().size() && shapes_.all()[t].name != table) ++t;
  if (t == shapes_.all().size()) return std::optional<wire::Digest128>();
  SqlStmt& read = tables_[t].read;
  read.Bind(1, pk);
  Result<bool> found = read.Step();
  if (!found.ok() || !*found) {
    read.Reset();
    if (!found.ok()) return found.status();
    return std::optional<wire::Digest128>();
  }
  Result<wire::Digest128> d = OfColumns(t, read);
  read.Reset();
  if (!d.ok()) return d.status();
  return std::optional<wire::Digest128>(*d);
}

}  // namespace q11::server
