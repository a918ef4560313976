#include "auth/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "auth/secure_random.h"

namespace q11::server {
namespace {

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

}  // namespace

Result<std::string> LoadOrCreateKey(const std::string& path, size_t bytes) {
  std::ifstream in(path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::optional<std::string> key = HexDecode(Trim(ss.str()));
    if (!key || key->size() < bytes)
      return FailedPrecondition(path + " does not hold a hex key of at least " +
                                std::to_string(bytes) + " bytes");
    return std::move(*key);
  }
  std::string key = RandomBytes(bytes);
  std::string hex = HexEncode(key) + "\n";
  // O_EXCL: two processes starting at once must not each write a different key.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return LoadOrCreateKey(path, bytes);
    return Unavailable("cannot create " + path + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Unavailable("cannot write " + path);
  }
  return key;
}

}  // namespace q11::server
