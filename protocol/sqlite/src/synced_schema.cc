#include "q11sqlite/synced_schema.h"

#include <set>
#include <string>
#include <vector>

#include "protocol/schema.h"

namespace q11::sql {
namespace {

struct ColumnDecl {
  std::string name, type, default_sql;
  bool not_null = false;
};

Result<std::vector<ColumnDecl>> Columns(Db& db, const std::string& table) {
  Result<Statement> st = db.Prepare(
      "SELECT name, type, \"notnull\", dflt_value FROM pragma_table_info(?1) ORDER BY cid");
  if (!st.ok()) return st.status();
  st->Bind(1, table);
  std::vector<ColumnDecl> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ColumnDecl c;
    c.name = st->Text(0);
    c.type = st->Text(1);
    c.not_null = st->Int(2) != 0;
    c.default_sql = st->IsNull(3) ? "" : st->Text(3);
    out.push_back(std::move(c));
  }
  return out;
}

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

Status PrepareSyncedTables(Db& db) {
  // The DDL's own idea of each table, from a scratch database: comparing with it finds the
  // columns an older database lacks without a hand-kept list that could drift.
  Result<Db> scratch = Db::Open(":memory:");
  if (!scratch.ok()) return scratch.status();
  Q11_RETURN_IF_ERROR(scratch->Exec(schema::SyncedTablesSql()));
  Result<Statement> tables =
      scratch->Prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  if (!tables.ok()) return tables.status();
  std::vector<std::string> names;
  for (;;) {
    Result<bool> row = tables->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    names.push_back(tables->Text(0));
  }
  // Whether the database lacked a table or a column: only then is the compiled reference
  // data loaded. On every later open it is left alone, so rows a reference set removed or
  // changed (the server's Publish, docs/units.md) do not come back unlogged.
  bool created = false;
  for (const std::string& table : names) {
    Result<std::vector<ColumnDecl>> have = Columns(db, table);
    if (!have.ok()) return have.status();
    if (have->empty()) created = true;
  }
  Q11_RETURN_IF_ERROR(db.Exec(schema::SyncedTablesSql()));
  for (const std::string& table : names) {
    Result<std::vector<ColumnDecl>> want = Columns(*scratch, table);
    if (!want.ok()) return want.status();
    Result<std::vector<ColumnDecl>> have = Columns(db, table);
    if (!have.ok()) return have.status();
    std::set<std::string> present;
    for (const ColumnDecl& c : *have) present.insert(c.name);
    for (const ColumnDecl& c : *want) {
      if (present.count(c.name)) continue;
      std::string sql =
          "ALTER TABLE " + Quoted(table) + " ADD COLUMN " + Quoted(c.name) + " " + c.type;
      if (c.not_null) sql += " NOT NULL";
      if (!c.default_sql.empty()) sql += " DEFAULT " + c.default_sql;
      Q11_RETURN_IF_ERROR(db.Exec(sql));
      created = true;
    }
  }
  if (!created) return Status::Ok();
  return db.Exec(schema::ReferenceDataSql());
}

}  // namespace q11::sql
