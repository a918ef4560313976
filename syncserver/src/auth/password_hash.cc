#include "auth/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth/secure_random.h"

namespace q11::server {

std::string DerivePasswordHash(std::string_view password, std::string_view salt, int iterations) {
  std::string out(kPasswordHashBytes, '\0');
  int ok =
      PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  // OpenSSL fails only on allocation failure or bad parameters; an empty result never
  // matches a stored verifier, so failure is safe.
  if (ok != 1) return std::string();
  return out;
}

PasswordHash HashNewPassword(std::string_view password, int iterations) {
  PasswordHash h;
  h.salt = RandomBytes(kSaltBytes);
  h.iterations = iterations;
  h.hash = DerivePasswordHash(password, h.salt, iterations);
  return h;
}

bool VerifyPassword(std::string_view password, const PasswordHash& stored) {
  if (stored.iterations < 1 || stored.hash.empty()) return false;
  std::string got = DerivePasswordHash(password, stored.salt, stored.iterations);
  if (got.size() != stored.hash.size()) return false;
  return CRYPTO_memcmp(got.data(), stored.hash.data(), got.size()) == 0;
}

}  // namespace q11::server
