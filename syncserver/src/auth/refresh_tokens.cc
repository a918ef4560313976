#include "auth/refresh_tokens.h"

#include <openssl/sha.h>

#include "auth/secure_random.h"

namespace q11::server {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,  -- SHA-256 hex of the token; the token is never stored
  family_id TEXT NOT NULL,
  parent_hash TEXT,                      -- the token this one replaced (NULL: first of family)
  user_id TEXT NOT NULL,
  issued_at INTEGER NOT NULL,            -- Unix seconds
  expires_at INTEGER NOT NULL,
  spent_at INTEGER,                      -- used once; using it again revokes the family
  revoked_at INTEGER,
  superseded_at INTEGER                  -- replaced by a sibling in the reuse grace period
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refresh_tokens_by_family ON refresh_tokens(family_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_by_user ON refresh_tokens(user_id);
)sql";

}  // namespace

std::string RefreshTokenHash(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

Result<std::unique_ptr<RefreshTokens>> RefreshTokens::Open(DbWriter& writer, int64_t ttl_seconds) {
  Q11_RETURN_IF_ERROR(writer.Write([](SqlConn& db) -> Status {
    // PostgreSQL's migrations made the table (store/postgres/pg_schema.cc).
    if (db.dialect() == SqlDialect::kPostgres) return Status::Ok();
    Q11_RETURN_IF_ERROR(db.Exec(kSchema));
    // Tables made before the reuse grace period lack superseded_at.
    Result<std::optional<std::string>> has = db.QueryText(
        "SELECT count(*) FROM pragma_table_info('refresh_tokens') WHERE name = 'superseded_at'");
    if (!has.ok()) return has.status();
    if (has->value_or("0") == "0")
      return db.Exec("ALTER TABLE refresh_tokens ADD COLUMN superseded_at INTEGER");
    return Status::Ok();
  }));
  return std::unique_ptr<RefreshTokens>(new RefreshTokens(writer, ttl_seconds));
}

Result<std::unique_ptr<RefreshTokens>> RefreshTokens::Open(const std::string& db_path,
                                                           int64_t ttl_seconds) {
  Result<std::unique_ptr<DbWriter>> writer = OpenOwnWriter(db_path);
  if (!writer.ok()) return writer.status();
  Result<std::unique_ptr<RefreshTokens>> tokens = Open(**writer, ttl_seconds);
  if (tokens.ok()) (*tokens)->own_writer_ = std::move(*writer);
  return tokens;
}

Status RefreshTokens::Insert(SqlConn& db, const IssuedRefresh& t, std::string_view parent_hash,
                             int64_t now_s) {
  Result<SqlStmt> st = db.Prepare(
      "INSERT INTO refresh_tokens (token_hash, family_id, parent_hash, user_id, issued_at, "
      "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st.ok()) return st.status();
  st->Bind(1, RefreshTokenHash(t.token)).Bind(2, t.family_id);
  if (parent_hash.empty())
    st->BindNull(3);
  else
    st->Bind(3, parent_hash);
  st->Bind(4, t.user_id).Bind(5, now_s).Bind(6, now_s + ttl_seconds_);
  return st->Run();
}

Result<IssuedRefresh> RefreshTokens::IssueFamily(std::string_view user_id, int64_t now_s) {
  IssuedRefresh t;
  Q11_RETURN_IF_ERROR(writer_.Write([&](SqlConn& db) {
    t = IssuedRefresh{std::string(user_id), HexEncode(RandomBytes(16)), HexEncode(RandomBytes(32))};
    return Insert(db, t, "", now_s);
  }));
  return t;
}

Result<IssuedRefresh> RefreshTokens::Rotate(std::string_view token, int64_t now_s) {
  const std::string hash = RefreshTokenHash(token);
  std::optional<Result<IssuedRefresh>> out;
  Q11_RETURN_IF_ERROR(writer_.Write([&](SqlConn& db) { return RotateIn(db, hash, now_s, &out); }));
  return std::move(*out);
}

Status RefreshTokens::RotateIn(SqlConn& db, const std::string& hash, int64_t now_s,
                               std::optional<Result<IssuedRefresh>>* out) {
  Result<SqlStmt> find = db.Prepare(
      "SELECT family_id, user_id, expires_at, spent_at, revoked_at IS NOT NULL, "
      "superseded_at IS NOT NULL FROM refresh_tokens WHERE token_hash = ?1");
  if (!find.ok()) return find.status();
  find->Bind(1, hash);
  Result<bool> row = find->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    *out = Unauthenticated("unknown refresh token");
    return Status::Ok();
  }
  IssuedRefresh next{find->Text(1), find->Text(0), ""};
  int64_t expires_at = find->Int(2);
  std::optional<int64_t> spent_at;
  if (!find->IsNull(3)) spent_at = find->Int(3);
  bool revoked = find->Int(4) != 0, superseded = find->Int(5) != 0;
  find->Reset();
  auto refuse = [&](Status why) {
    *out = std::move(why);
    return Status::Ok();
  };
  auto revoke_family = [&]() -> Status {
    Result<SqlStmt> revoke = db.Prepare(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL");
    if (!revoke.ok()) return revoke.status();
    Q11_RETURN_IF_ERROR(revoke->Bind(1, next.family_id).Bind(2, now_s).Run());
    return refuse(Unauthenticated("refresh token reused: every session of this login is revoked"));
  };
  if (superseded) {
    // A token replaced in the grace period turning up. The same refresh sent twice at once
    // (a retry racing the original) is answered twice, and the phone may keep either
    // answer: while the sibling that replaced this token was never used, nobody has shown
    // to hold the family besides this phone, so this token takes its place back (the
    // sibling is superseded in its turn). A sibling already used means two holders.
    Result<SqlStmt> sibling = db.Prepare(
        "UPDATE refresh_tokens SET revoked_at = ?2, superseded_at = ?2 WHERE parent_hash = "
        "(SELECT parent_hash FROM refresh_tokens WHERE token_hash = ?1) AND token_hash <> ?1 "
        "AND spent_at IS NULL AND revoked_at IS NULL");
    if (!sibling.ok()) return sibling.status();
    Q11_RETURN_IF_ERROR(sibling->Bind(1, hash).Bind(2, now_s).Run());
    if (db.Changes() != 1) return revoke_family();
    Result<SqlStmt> reinstate = db.Prepare(
        "UPDATE refresh_tokens SET revoked_at = NULL, superseded_at = NULL WHERE token_hash = ?1");
    if (!reinstate.ok()) return reinstate.status();
    Q11_RETURN_IF_ERROR(reinstate->Bind(1, hash).Run());
    revoked = false;
  }
  if (revoked) return refuse(Unauthenticated("refresh token revoked"));
  if (spent_at) {
    // The same token again within seconds, its child never used: the answer to the first
    // refresh was most likely lost on a bad link. Replace the unused child by a sibling
    // instead of ending the session; should the replaced child ever turn up, the family
    // is revoked (above).
    if (now_s - *spent_at > kReuseGraceSeconds || now_s >= expires_at) return revoke_family();
    Result<SqlStmt> child = db.Prepare(
        "UPDATE refresh_tokens SET revoked_at = ?2, superseded_at = ?2 WHERE parent_hash = ?1 "
        "AND spent_at IS NULL AND revoked_at IS NULL");
    if (!child.ok()) return child.status();
    Q11_RETURN_IF_ERROR(child->Bind(1, hash).Bind(2, now_s).Run());
    if (db.Changes() != 1) return revoke_family();  // the child was used: a real reuse
  } else {
    if (now_s >= expires_at) return refuse(Unauthenticated("refresh token expired"));
    Result<SqlStmt> spend =
        db.Prepare("UPDATE refresh_tokens SET spent_at = ?2 WHERE token_hash = ?1");
    if (!spend.ok()) return spend.status();
    Q11_RETURN_IF_ERROR(spend->Bind(1, hash).Bind(2, now_s).Run());
  }
  next.token = HexEncode(RandomBytes(32));
  Q11_RETURN_IF_ERROR(Insert(db, next, hash, now_s));
  *out = std::move(next);
  return Status::Ok();
}

Status RefreshTokens::RevokeFamily(std::string_view token, std::string_view user_id,
                                   int64_t now_s) {
  return writer_.Write([&](SqlConn& db) -> Status {
    Result<SqlStmt> st = db.Prepare(
        "UPDATE refresh_tokens SET revoked_at = ?3 WHERE revoked_at IS NULL AND family_id = "
        "(SELECT family_id FROM refresh_tokens WHERE token_hash = ?1 AND user_id = ?2)");
    if (!st.ok()) return st.status();
    return st->Bind(1, RefreshTokenHash(token)).Bind(2, user_id).Bind(3, now_s).Run();
  });
}

Status RefreshTokens::RevokeUser(std::string_view user_id, int64_t now_s) {
  return writer_.Write([&](SqlConn& db) -> Status {
    Result<SqlStmt> st = db.Prepare(
        "UPDATE refresh_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL");
    if (!st.ok()) return st.status();
    return st->Bind(1, user_id).Bind(2, now_s).Run();
  });
}

Result<int64_t> RefreshTokens::Prune(int64_t now_s) {
  int64_t pruned = 0;
  Q11_RETURN_IF_ERROR(writer_.Write([&](SqlConn& db) -> Status {
    Result<SqlStmt> st = db.Prepare(
        "DELETE FROM refresh_tokens WHERE family_id IN (SELECT family_id FROM refresh_tokens "
        "GROUP BY family_id HAVING max(expires_at) <= ?1)");
    if (!st.ok()) return st.status();
    Q11_RETURN_IF_ERROR(st->Bind(1, now_s).Run());
    pruned = db.Changes();
    return Status::Ok();
  }));
  return pruned;
}

}  // namespace q11::server
