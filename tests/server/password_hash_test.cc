#include <catch2/catch.hpp>

#include "auth/password_hash.h"

using namespace q11::server;

TEST_CASE("A password verifies against its own hash and nothing else") {
  PasswordHash h = HashNewPassword("mat-khau-lan", 1000);
  CHECK(h.hash.size() == kPasswordHashBytes);
  CHECK(h.salt.size() == kSaltBytes);
  CHECK(h.iterations == 1000);
  CHECK(VerifyPassword("mat-khau-lan", h));
  CHECK_FALSE(VerifyPassword("mat-khau-la", h));
  CHECK_FALSE(VerifyPassword("", h));
  PasswordHash other_iterations = h;
  other_iterations.iterations = 1001;
  CHECK_FALSE(VerifyPassword("mat-khau-lan", other_iterations));
}

TEST_CASE("The same password gets a different salt and hash every time") {
  PasswordHash a = HashNewPassword("lan-2026", 1000), b = HashNewPassword("lan-2026", 1000);
  CHECK(a.salt != b.salt);
  CHECK(a.hash != b.hash);
}

TEST_CASE("PBKDF2-HMAC-SHA256 matches the RFC 7914 test vector") {
  // RFC 7914 section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64; we take 32.
  std::string dk = DerivePasswordHash("passwd", "salt", 1);
  const unsigned char expected[] = {0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f,
                                    0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05,
                                    0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65,
                                    0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc};
  REQUIRE(dk.size() == sizeof expected);
  CHECK(std::equal(dk.begin(), dk.end(), reinterpret_cast<const char*>(expected)));
}

TEST_CASE("The production iteration count is 100000 and nonsense stored values never match") {
  PasswordHash h = HashNewPassword("admin-2026");
  CHECK(h.iterations == 100000);
  CHECK(VerifyPassword("admin-2026", h));
  CHECK_FALSE(VerifyPassword("admin-2026", PasswordHash{h.hash, h.salt, 0}));
  CHECK_FALSE(VerifyPassword("admin-2026", PasswordHash{"", h.salt, h.iterations}));
}
