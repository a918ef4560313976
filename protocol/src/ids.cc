#include "protocol/ids.h"

#include <cstdio>
#include <ctime>

namespace q11 {

std::string MakeUuid7(int64_t unix_ms, const std::array<uint8_t, 10>& r) {
  uint8_t b[16];
  uint64_t ms = static_cast<uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  b[6] = static_cast<uint8_t>(0x70 | (r[0] & 0x0f));
  b[7] = r[1];
  b[8] = static_cast<uint8_t>(0x80 | (r[2] & 0x3f));
  for (int i = 9; i < 16; ++i) b[i] = r[i - 6];
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 0xf]);
  }
  return out;
}

bool LooksLikeUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string FormatUtc(int64_t unix_ms) {
  time_t secs = static_cast<time_t>(unix_ms / 1000);
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::optional<int64_t> ParseUtc(std::string_view t) {
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > t.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int Y, M, D, h, m, s, ms = 0;
  if (!digits(0, 4, Y) || t.size() < 20 || t[4] != '-' || !digits(5, 2, M) || t[7] != '-' ||
      !digits(8, 2, D) || (t[10] != 'T' && t[10] != ' ') || !digits(11, 2, h) || t[13] != ':' ||
      !digits(14, 2, m) || t[16] != ':' || !digits(17, 2, s))
    return std::nullopt;
  size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    size_t start = ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
    int frac = 0;
    size_t n = std::min<size_t>(pos - start, 3);
    digits(start, n, frac);
    for (size_t i = n; i < 3; ++i) frac *= 10;
    ms = frac;
  }
  std::string_view zone = t.substr(pos);
  if (zone != "Z" && zone != "+00:00") return std::nullopt;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

}  // namespace q11
