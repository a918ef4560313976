// Rotating refresh tokens, kept in families (one family per login or sign-up).
//
// A refresh token is 32 random bytes (hex) given to the device once; the server keeps only
// its SHA-256, so a copy of the database cannot be replayed. Using a token spends it and
// issues its child in the same family. Using a spent token again means two parties hold
// the family (a stolen copy, or a device restored from a backup): the whole family is
// revoked, so the thief's newer token stops working too and the owner logs in again.
// Logout revokes a family; disabling an account revokes all of its families.
//
// Reuse grace: a phone on a bad link may send a refresh, lose the answer and send the same
// token again. Within kReuseGraceSeconds of the first use, and while the child it was given
// has never been used, that is answered with a new sibling (the unused child is revoked and
// marked superseded) instead of revoking the family. A superseded token that turns up later
// takes its place back while the sibling that replaced it was never used (the same refresh
// sent twice at once is answered twice, and the phone may have kept either answer); once
// that sibling was used, it proves two holders and revokes the family.
//
// Table refresh_tokens of the server database, written through the server's one writer
// (db_writer.h): a login must not leave the push writer's page cache cold.
// Thread safety: safe from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "store/db_writer.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

inline constexpr int64_t kReuseGraceSeconds = 30;

struct IssuedRefresh {
  std::string user_id;
  std::string family_id;
  std::string token;  // give to the device; never stored
};

class RefreshTokens {
 public:
  // Writes through `writer` (the server's; it must outlive this) and creates the table
  // when missing.
  static Result<std::unique_ptr<RefreshTokens>> Open(DbWriter& writer, int64_t ttl_seconds);
  // The same on a connection of its own to `db_path` (command-line tools, tests).
  static Result<std::unique_ptr<RefreshTokens>> Open(const std::string& db_path,
                                                     int64_t ttl_seconds);

  // A token of a new family for `user_id`, valid ttl_seconds from now_s.
  Result<IssuedRefresh> IssueFamily(std::string_view user_id, int64_t now_s);

  // Spends `token` and returns its child. kUnauthenticated when the token is unknown,
  // expired or revoked, or was spent before (then its family is revoked: the message
  // says "reused").
  Result<IssuedRefresh> Rotate(std::string_view token, int64_t now_s);

  // Revokes the family of `token` when it belongs to `user_id` (logout). Unknown tokens
  // are not an error: logout is idempotent.
  Status RevokeFamily(std::string_view token, std::string_view user_id, int64_t now_s);
  // Revokes every family of the account (it was disabled).
  Status RevokeUser(std::string_view user_id, int64_t now_s);
  // Deletes the families whose every token has expired by now_s (nothing in them can be
  // used, and a reuse can no longer harm a live token); returns how many rows went.
  // Families with a live token are kept whole, so reuse detection still works for them.
  Result<int64_t> Prune(int64_t now_s);

  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  RefreshTokens(DbWriter& writer, int64_t ttl) : writer_(writer), ttl_seconds_(ttl) {}
  Status Insert(SqlConn& db, const IssuedRefresh& t, std::string_view parent_hash, int64_t now_s);
  // One Rotate() as a write: `out` is the answer, refusals included (a reuse revokes the
  // family, which must be committed all the same).
  Status RotateIn(SqlConn& db, const std::string& hash, int64_t now_s,
                  std::optional<Result<IssuedRefresh>>* out);

  std::unique_ptr<DbWriter> own_writer_;  // Open(db_path): the writer is this object's
  DbWriter& writer_;
  int64_t ttl_seconds_;
};

// Lowercase hex SHA-256 of `token`, as stored.
std::string RefreshTokenHash(std::string_view token);

}  // namespace q11::server
