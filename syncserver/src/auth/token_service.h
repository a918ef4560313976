// Access tokens: HS256 JWTs (Poco::JWT) that name the account, its role, unit and
// pseudonym, valid for a short time (1 hour by default).
//
// Poco 1.11's Signer::verify checks only the signature and the algorithm, so Verify()
// checks the expiry itself. The signing key is 32 random bytes made on the server's first
// start and kept hex-encoded in DATA/jwt.key (mode 0600); replacing the file logs everyone
// out. Poco stays inside token_service.cc.
//
// Thread safety: a TokenService is immutable after construction; use it from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "syncserver/account.h"

namespace q11::server {

struct TokenClaims {
  std::string user_id;  // "sub"
  std::string name;
  std::string role;
  std::string unit;
  std::string reporter_ref;  // "ref"
  int64_t issued_at = 0;     // "iat", Unix seconds
  int64_t expires_at = 0;    // "exp", Unix seconds
};

class TokenService {
 public:
  // `key`: the raw HMAC key. REQUIRES: key.size() >= 32.
  explicit TokenService(std::string key, int ttl_seconds = 3600);

  // Reads DATA/jwt.key, or makes a new key there (mode 0600) when the file is missing.
  // kFailedPrecondition for a malformed key file, kUnavailable for I/O errors.
  static Result<TokenService> FromKeyFile(const std::string& path, int ttl_seconds = 3600);

  std::string Issue(const Account& account, int64_t now_s) const;
  // kUnauthenticated for a malformed token, a bad signature, another algorithm, or a token
  // that has expired at `now_s`.
  Result<TokenClaims> Verify(std::string_view token, int64_t now_s) const;

  int ttl_seconds() const { return ttl_seconds_; }

 private:
  std::string key_;
  int ttl_seconds_;
};

}  // namespace q11::server
