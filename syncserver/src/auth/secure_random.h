// Unpredictable bytes for secrets and identifiers the server makes: password salts, the
// token signing key, reporter pseudonyms and row ids. Backed by OpenSSL's CSPRNG.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace q11::server {

// `n` random bytes. Aborts the process if the CSPRNG fails (it only does when the system
// has no entropy source; continuing would make guessable secrets).
std::string RandomBytes(size_t n);
// `n` characters of RFC 4648 base32, lowercase ("a-z2-7").
std::string RandomBase32(size_t n);
// A UUIDv7 for a server-made row at `unix_ms`.
std::string NewUuid7(int64_t unix_ms);
// Lowercase hex of raw bytes.
std::string HexEncode(std::string_view bytes);

}  // namespace q11::server
