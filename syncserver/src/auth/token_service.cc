#include "auth/token_service.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include "auth/key_file.h"

namespace q11::server {
namespace {

constexpr size_t kKeyBytes = 32;

// Claims are read back leniently typed: Poco's parser gives integers as Int64 but a
// hand-made token might carry doubles.
std::string StringClaim(const Poco::JSON::Object& o, const std::string& name) {
  return o.has(name) && !o.isNull(name) ? o.getValue<std::string>(name) : std::string();
}

int64_t IntClaim(const Poco::JSON::Object& o, const std::string& name) {
  if (!o.has(name) || o.isNull(name)) return 0;
  return o.get(name).convert<Poco::Int64>();
}

}  // namespace

TokenService::TokenService(std::string key, int ttl_seconds)
    : key_(std::move(key)), ttl_seconds_(ttl_seconds) {}

Result<TokenService> TokenService::FromKeyFile(const std::string& path, int ttl_seconds) {
  Result<std::string> key = LoadOrCreateKey(path, kKeyBytes);
  if (!key.ok()) return key.status();
  return TokenService(std::move(*key), ttl_seconds);
}

std::string TokenService::Issue(const Account& account, int64_t now_s) const {
  Poco::JWT::Token token;
  token.setType("JWT");
  token.setSubject(account.id);
  Poco::JSON::Object& p = token.payload();
  p.set("name", account.name);
  p.set("role", std::string(RoleName(account.role)));
  p.set("unit", account.unit);
  p.set("ref", account.reporter_ref);
  p.set("iat", static_cast<Poco::Int64>(now_s));
  p.set("exp", static_cast<Poco::Int64>(now_s + ttl_seconds_));
  Poco::JWT::Signer signer(key_);
  return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
}

Result<TokenClaims> TokenService::Verify(std::string_view token, int64_t now_s) const {
  try {
    Poco::JWT::Signer signer(key_);  // allows only HS256 by default
    Poco::JWT::Token verified;
    if (!signer.tryVerify(std::string(token), verified))
      return Unauthenticated("token signature does not verify");
    const Poco::JSON::Object& p = verified.payload();
    TokenClaims c;
    c.user_id = verified.getSubject();
    c.name = StringClaim(p, "name");
    c.role = StringClaim(p, "role");
    c.unit = StringClaim(p, "unit");
    c.reporter_ref = StringClaim(p, "ref");
    c.issued_at = IntClaim(p, "iat");
    c.expires_at = IntClaim(p, "exp");
    if (c.user_id.empty()) return Unauthenticated("token names no account");
    // Signer::verify does not look at exp: a token without one would never expire.
    if (c.expires_at == 0) return Unauthenticated("token has no expiry");
    if (now_s >= c.expires_at) return Unauthenticated("token expired");
    return c;
  } catch (const Poco::Exception& e) {
    return Unauthenticated("malformed token: " + e.displayText());
  } catch (const std::exception& e) {
    return Unauthenticated(std::string("malformed token: ") + e.what());
  }
}

}  // namespace q11::server
