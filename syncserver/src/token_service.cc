#include "token_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "secure_random.h"

namespace q11::server {
namespace {

constexpr size_t kKeyBytes = 32;

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

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
  std::ifstream in(path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::optional<std::string> key = HexDecode(Trim(ss.str()));
    if (!key || key->size() < kKeyBytes)
      return FailedPrecondition(path + " does not hold a hex key of at least 32 bytes");
    return TokenService(std::move(*key), ttl_seconds);
  }
  std::string key = RandomBytes(kKeyBytes);
  std::string hex = HexEncode(key) + "\n";
  // O_EXCL: two processes starting at once must not each write a different key.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return FromKeyFile(path, ttl_seconds);
    return Unavailable("cannot create " + path + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Unavailable("cannot write " + path);
  }
  return TokenService(std::move(key), ttl_seconds);
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
