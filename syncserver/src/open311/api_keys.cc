#include "open311/api_keys.h"

#include <openssl/sha.h>

#include "auth/secure_random.h"

namespace q11::server {
namespace {

// "o311_" + 32 base32 characters: 160 random bits, and recognisable in a leaked log.
constexpr std::string_view kKeyPrefix = "o311_";
constexpr size_t kKeyRandomChars = 32;

std::string Sha256(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool KeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace

Result<std::unique_ptr<ApiKeys>> ApiKeys::Open(const std::string& db_path) {
  Result<sql::Db> db = sql::Db::Open(db_path, /*create=*/false);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ApiKeys>(new ApiKeys(std::move(*db)));
}

Result<std::string> ApiKeys::Add(std::string_view name, std::string_view now_utc) {
  if (!KeyName(name))
    return InvalidArgument(
        "a key name is 1-64 characters of a-z A-Z 0-9 . _ - / tên khóa gồm 1-64 ký tự a-z A-Z "
        "0-9 . _ -");
  std::string key = std::string(kKeyPrefix) + RandomBase32(kKeyRandomChars);
  std::lock_guard<std::mutex> lock(mu_);
  Result<sql::Statement> st =
      db_.Prepare("INSERT INTO api_keys (name, key_hash, created_at) VALUES (?1, ?2, ?3)");
  if (!st.ok()) return st.status();
  Status s = st->Bind(1, name).BindBlob(2, Sha256(key)).Bind(3, now_utc).Run();
  if (s.code() == StatusCode::kAlreadyExists)
    return AlreadyExists("a key named '" + std::string(name) +
                         "' exists or existed / tên khóa này đã được dùng");
  if (!s.ok()) return s;
  return key;
}

Result<std::vector<ApiKeyInfo>> ApiKeys::List() {
  std::lock_guard<std::mutex> lock(mu_);
  Result<sql::Statement> st =
      db_.Prepare("SELECT name, created_at, revoked_at FROM api_keys ORDER BY name");
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

Status ApiKeys::Revoke(std::string_view name, std::string_view now_utc) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<std::optional<std::string>> revoked = [&]() -> Result<std::optional<std::string>> {
    Result<sql::Statement> st =
        db_.Prepare("SELECT coalesce(revoked_at, '') FROM api_keys WHERE name = ?1");
    if (!st.ok()) return st.status();
    st->Bind(1, name);
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(st->Text(0));
  }();
  if (!revoked.ok()) return revoked.status();
  if (!revoked->has_value())
    return NotFound("no key named '" + std::string(name) + "' / không có khóa này");
  if (!(*revoked)->empty())
    return FailedPrecondition("the key '" + std::string(name) + "' was revoked at " + **revoked +
                              " / khóa đã bị thu hồi");
  Result<sql::Statement> st =
      db_.Prepare("UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL");
  if (!st.ok()) return st.status();
  return st->Bind(1, name).Bind(2, now_utc).Run();
}

Result<std::optional<std::string>> ApiKeys::Check(std::string_view key) {
  // Only keys of our shape are looked up; anything else is unknown without a query.
  if (key.size() != kKeyPrefix.size() + kKeyRandomChars ||
      key.substr(0, kKeyPrefix.size()) != kKeyPrefix)
    return std::optional<std::string>();
  std::lock_guard<std::mutex> lock(mu_);
  Result<sql::Statement> st =
      db_.Prepare("SELECT name FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL");
  if (!st.ok()) return st.status();
  st->BindBlob(1, Sha256(key));
  Result<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(st->Text(0));
}

}  // namespace q11::server
