#include "store/sql/contact_rows.h"

namespace q11::server {

Status CreateContactsTable(SqlConn& db) {
  return db.Exec(R"sql(
CREATE TABLE IF NOT EXISTS contacts (
  user_id TEXT PRIMARY KEY NOT NULL,
  sealed BLOB NOT NULL,   -- AES-256-GCM of {"name","phone","email"}, key in DATA/contact.key
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
)sql");
}

Status PutContactRow(SqlConn& db, std::string_view user_id, std::string_view sealed,
                     std::string_view updated_at) {
  Result<SqlStmt> st = db.Prepare(
      "INSERT INTO contacts (user_id, sealed, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, "
      "updated_at = excluded.updated_at");
  if (!st.ok()) return st.status();
  return st->Bind(1, user_id).BindBlob(2, sealed).Bind(3, updated_at).Run();
}

Result<std::optional<std::string>> FindContactRow(SqlConn& db, std::string_view user_id) {
  Result<SqlStmt> st = db.Prepare("SELECT sealed FROM contacts WHERE user_id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, user_id);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Blob(0));
}

Status DeleteContactRow(SqlConn& db, std::string_view user_id) {
  Result<SqlStmt> st = db.Prepare("DELETE FROM contacts WHERE user_id = ?1");
  if (!st.ok()) return st.status();
  return st->Bind(1, user_id).Run();
}

}  // namespace q11::server
