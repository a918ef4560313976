#include "auth/secure_random.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "log/logger.h"
#include "protocol/ids.h"

namespace q11::server {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    log::Error("the random number generator failed");
    std::abort();
  }
  return out;
}

std::string RandomBase32(size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string raw = RandomBytes(n);
  std::string out(n, 'a');
  // 256 is a multiple of 32, so masking keeps the distribution uniform.
  for (size_t i = 0; i < n; ++i) out[i] = kAlphabet[static_cast<unsigned char>(raw[i]) & 31];
  return out;
}

std::string NewUuid7(int64_t unix_ms) {
  std::string raw = RandomBytes(10);
  std::array<uint8_t, 10> r{};
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<uint8_t>(raw[i]);
  return MakeUuid7(unix_ms, r);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace q11::server
