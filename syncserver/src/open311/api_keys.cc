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

Result<std::string> ApiKeys::Add(std::string_view name, std::string_view now_utc) {
  if (!KeyName(name))
    return InvalidArgument(
        "a key name is 1-64 characters of a-z A-Z 0-9 . _ - / tên khóa gồm 1-64 ký tự a-z A-Z "
        "0-9 . _ -");
  std::string key = std::string(kKeyPrefix) + RandomBase32(kKeyRandomChars);
  Status s = store_.InsertApiKey(name, Sha256(key), now_utc);
  if (s.code() == StatusCode::kAlreadyExists)
    return AlreadyExists("a key named '" + std::string(name) +
                         "' exists or existed / tên khóa này đã được dùng");
  if (!s.ok()) return s;
  return key;
}

Result<std::vector<ApiKeyInfo>> ApiKeys::List() { return store_.ListApiKeys(); }

Status ApiKeys::Revoke(std::string_view name, std::string_view now_utc) {
  Result<ApiKeyRevocation> r = store_.RevokeApiKey(name, now_utc);
  if (!r.ok()) return r.status();
  switch (r->outcome) {
    case ApiKeyRevocation::Outcome::kRevoked:
      return Status::Ok();
    case ApiKeyRevocation::Outcome::kUnknown:
      return NotFound("no key named '" + std::string(name) + "' / không có khóa này");
    case ApiKeyRevocation::Outcome::kAlreadyRevoked:
      break;
  }
  return FailedPrecondition("the key '" + std::string(name) + "' was revoked at " + r->revoked_at +
                            " / khóa đã bị thu hồi");
}

Result<std::optional<std::string>> ApiKeys::Check(std::string_view key) {
  // Only keys of our shape are looked up; anything else is unknown without a query.
  if (key.size() != kKeyPrefix.size() + kKeyRandomChars ||
      key.substr(0, kKeyPrefix.size()) != kKeyPrefix)
    return std::optional<std::string>();
  return store_.FindLiveApiKey(Sha256(key));
}

}  // namespace q11::server
