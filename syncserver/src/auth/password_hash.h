// Password verifiers: PBKDF2-HMAC-SHA256 with a per-account random salt and a stored
// iteration count (so the count can be raised later without invalidating old accounts).
// Only the verifier is stored; comparison is constant-time.
#pragma once

#include <string>
#include <string_view>

namespace q11::server {

inline constexpr int kPasswordIterations = 100000;
inline constexpr size_t kSaltBytes = 16;
inline constexpr size_t kPasswordHashBytes = 32;

struct PasswordHash {
  std::string hash;  // raw bytes
  std::string salt;  // raw bytes
  int iterations = 0;
};

// A verifier for a new password with a fresh random salt.
PasswordHash HashNewPassword(std::string_view password, int iterations = kPasswordIterations);
// PBKDF2-HMAC-SHA256(password, salt, iterations), kPasswordHashBytes raw bytes.
std::string DerivePasswordHash(std::string_view password, std::string_view salt, int iterations);
// True when `password` matches the stored verifier. Constant-time in the comparison;
// false for nonsensical stored values (iterations < 1, empty hash).
bool VerifyPassword(std::string_view password, const PasswordHash& stored);

}  // namespace q11::server
