#include "protocol/vietnam_time.h"

#include <cstdio>

#include "protocol/deadline_calculator.h"
#include "protocol/ids.h"

namespace q11::vntime {
namespace {

// Reads exactly `n` digits at `pos` into `out`, advancing `pos`.
bool Digits(std::string_view t, size_t& pos, size_t n, int& out) {
  if (pos + n > t.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    out = out * 10 + (t[i] - '0');
  }
  pos += n;
  return true;
}

// The offset at the end of `t` from `pos`: Z, ±HH, ±HHMM, ±HH:MM; ms east of UTC.
std::optional<int64_t> Offset(std::string_view t, size_t pos) {
  if (t.substr(pos) == "Z" || t.substr(pos) == "z") return 0;
  if (pos >= t.size() || (t[pos] != '+' && t[pos] != '-')) return std::nullopt;
  const int sign = t[pos] == '-' ? -1 : 1;
  ++pos;
  int hours = 0, minutes = 0;
  if (!Digits(t, pos, 2, hours)) return std::nullopt;
  if (pos < t.size()) {
    if (t[pos] == ':') ++pos;
    if (!Digits(t, pos, 2, minutes)) return std::nullopt;
  }
  if (pos != t.size() || hours > 14 || minutes > 59) return std::nullopt;
  return sign * (hours * 60 + minutes) * 60000LL;
}

}  // namespace

std::optional<int64_t> ParseTypedTime(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0;
  if (!Digits(t, pos, 4, year) || pos >= t.size() || t[pos++] != '-' || !Digits(t, pos, 2, month) ||
      pos >= t.size() || t[pos++] != '-' || !Digits(t, pos, 2, day))
    return std::nullopt;
  char date[11];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
  // ParseDay knows the calendar (no 30 February).
  std::optional<int64_t> day_number = deadline::ParseDay(date);
  if (!day_number) return std::nullopt;
  const int64_t local_midnight_ms = *day_number * 86400000LL;
  if (pos == t.size())
    return local_midnight_ms + kEndOfWorkingDayMinutes * 60000LL - deadline::kUtcOffsetMs;

  if (t[pos] != 'T' && t[pos] != 't' && t[pos] != ' ') return std::nullopt;
  ++pos;
  if (!Digits(t, pos, 2, hour) || pos >= t.size() || t[pos++] != ':' || !Digits(t, pos, 2, minute))
    return std::nullopt;
  if (pos < t.size() && t[pos] == ':') {
    ++pos;
    if (!Digits(t, pos, 2, second)) return std::nullopt;
    if (pos < t.size() && (t[pos] == '.' || t[pos] == ',')) {
      size_t start = ++pos;
      while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
      for (size_t i = start; i < start + 3; ++i)
        ms = ms * 10 + (i < pos ? t[i] - '0' : 0);  // milliseconds; finer digits dropped
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::optional<int64_t> offset = Offset(t, pos);
  if (!offset) return std::nullopt;
  return local_midnight_ms + ((hour * 60 + minute) * 60 + second) * 1000LL + ms - *offset;
}

std::string FormatForPeople(int64_t unix_ms, bool utc) {
  // FormatUtc of the shifted instant gives the wall time: "YYYY-MM-DDTHH:MM".
  std::string wall = FormatUtc(unix_ms + (utc ? 0 : deadline::kUtcOffsetMs));
  return wall.substr(0, 10) + " " + wall.substr(11, 5) + (utc ? " (UTC)" : " (UTC+7)");
}

std::string ShowStored(std::string_view iso_utc, bool utc) {
  if (iso_utc.empty()) return "-";
  std::optional<int64_t> ms = ParseUtc(iso_utc);
  return ms ? FormatForPeople(*ms, utc) : std::string(iso_utc);
}

}  // namespace q11::vntime
