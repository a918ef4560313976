#include "open311/open311_time.h"

#include "protocol/ids.h"

namespace q11::server {
namespace {

constexpr int64_t kVietnamOffsetMs = 7 * 3600 * 1000;

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::optional<int64_t> ParseOpen311Time(std::string_view text) {
  if (text.size() < 20 || text.size() > 40 || text[10] != 'T') return std::nullopt;
  int64_t offset_ms = 0;
  std::string_view local = text;
  if (text.back() == 'Z') {
    local.remove_suffix(1);
  } else {
    std::string_view zone = text.substr(text.size() - 6);
    if ((zone[0] != '+' && zone[0] != '-') || zone[3] != ':' || !Digits(zone.substr(1, 2)) ||
        !Digits(zone.substr(4, 2)))
      return std::nullopt;
    int hours = (zone[1] - '0') * 10 + (zone[2] - '0');
    int minutes = (zone[4] - '0') * 10 + (zone[5] - '0');
    if (hours > 14 || minutes > 59) return std::nullopt;
    offset_ms = (hours * 60 + minutes) * 60000LL * (zone[0] == '-' ? -1 : 1);
    local.remove_suffix(6);
  }
  // ParseUtc checks the fields (month, day, hour, ...) of the local wall time.
  std::optional<int64_t> wall = ParseUtc(std::string(local) + "Z");
  if (!wall) return std::nullopt;
  return *wall - offset_ms;
}

std::string FormatOpen311Time(std::string_view stored_utc) {
  if (stored_utc.empty()) return "";
  std::optional<int64_t> ms = ParseUtc(stored_utc);
  if (!ms) return "";
  // FormatUtc of the shifted time gives the local wall time; drop ".fffZ", add the zone.
  std::string local = FormatUtc(*ms + kVietnamOffsetMs);
  return local.substr(0, 19) + "+07:00";
}

}  // namespace q11::server
