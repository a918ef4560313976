#include "store/sql/api_key_rows.h"

namespace q11::server {

Status InsertApiKeyRow(SqlConn& db, std::string_view name, std::string_view key_hash,
                       std::string_view created_at) {
  Result<SqlStmt> st =
      db.Prepare("INSERT INTO api_keys (name, key_hash, created_at) VALUES (?1, ?2, ?3)");
  if (!st.ok()) return st.status();
  return st->Bind(1, name).BindBlob(2, key_hash).Bind(3, created_at).Run();
}

Result<std::vector<ApiKeyInfo>> ReadApiKeys(SqlConn& db) {
  Result<SqlStmt> st =
      db.Prepare("SELECT name, created_at, revoked_at FROM api_keys ORDER BY name");
  if (!st.ok()) return st.status();
  std::vector<ApiKeyInfo> out;
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2)});
  }
  return out;
}

Result<ApiKeyRevocation> RevokeApiKeyRow(SqlConn& db, std::string_view name,
                                         std::string_view revoked_at) {
  ApiKeyRevocation out;
  {
    Result<SqlStmt> st =
        db.Prepare("SELECT coalesce(revoked_at, '') FROM api_keys WHERE name = ?1");
    if (!st.ok()) return st.status();
    st->Bind(1, name);
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;  // kUnknown
    out.revoked_at = st->Text(0);
  }
  if (!out.revoked_at.empty()) {
    out.outcome = ApiKeyRevocation::Outcome::kAlreadyRevoked;
    return out;
  }
  Result<SqlStmt> st =
      db.Prepare("UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL");
  if (!st.ok()) return st.status();
  Q11_RETURN_IF_ERROR(st->Bind(1, name).Bind(2, revoked_at).Run());
  out.outcome = ApiKeyRevocation::Outcome::kRevoked;
  out.revoked_at = std::string(revoked_at);
  return out;
}

Result<std::optional<std::string>> FindLiveApiKeyRow(SqlConn& db, std::string_view key_hash) {
  Result<SqlStmt> st =
      db.Prepare("SELECT name FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL");
  if (!st.ok()) return st.status();
  st->BindBlob(1, key_hash);
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

}  // namespace q11::server
