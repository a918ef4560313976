#include "protocol/deadline_calculator.h"

#include <algorithm>

namespace q11::deadline {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kMinuteMs = 60LL * 1000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> ParseDay(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto num = [&](size_t at, size_t len) -> int {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1970 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::optional<Unit> ParseUnit(std::string_view text) {
  if (text == "working_hours") return Unit::kWorkingHours;
  if (text == "working_days") return Unit::kWorkingDays;
  return std::nullopt;
}

bool IsWorkingDay(int64_t day, const HolidaySet& holidays) {
  // 1970-01-01 was a Thursday: (day + 4) % 7 is 0 on Sundays, 6 on Saturdays.
  int64_t weekday = ((day % 7) + 7 + 4) % 7;
  if (weekday == 0 || weekday == 6) return false;
  return holidays.count(day) == 0;
}

int64_t AddWorkingMinutes(int64_t start_ms, int64_t working_minutes, const HolidaySet& holidays) {
  int64_t remaining = working_minutes * kMinuteMs;
  int64_t local = start_ms + kUtcOffsetMs;
  if (remaining <= 0) return start_ms;
  // Holidays and weekends are whole days, so a year of them is at most ~130 skipped days:
  // the loop ends after remaining / (8 h) working days plus those.
  for (;;) {
    int64_t day = FloorDiv(local, kDayMs);
    int64_t midnight = day * kDayMs;
    if (IsWorkingDay(day, holidays)) {
      for (const OfficePeriod& p : kOfficePeriods) {
        int64_t open = midnight + p.start_min * kMinuteMs, close = midnight + p.end_min * kMinuteMs;
        if (local >= close) continue;
        if (local < open) local = open;
        int64_t available = close - local;
        if (remaining <= available) return local + remaining - kUtcOffsetMs;
        remaining -= available;
        local = close;
      }
    }
    local = midnight + kDayMs;
  }
}

int64_t WorkingMsBetween(int64_t start_ms, int64_t end_ms, const HolidaySet& holidays) {
  if (end_ms <= start_ms) return 0;
  const int64_t from = start_ms + kUtcOffsetMs, to = end_ms + kUtcOffsetMs;
  int64_t total = 0;
  // One step per local day: a year-long span is 366 steps, cheap enough for a report table.
  for (int64_t day = FloorDiv(from, kDayMs), last = FloorDiv(to, kDayMs); day <= last; ++day) {
    if (!IsWorkingDay(day, holidays)) continue;
    const int64_t midnight = day * kDayMs;
    for (const OfficePeriod& p : kOfficePeriods) {
      int64_t open = std::max(from, midnight + p.start_min * kMinuteMs);
      int64_t close = std::min(to, midnight + p.end_min * kMinuteMs);
      if (close > open) total += close - open;
    }
  }
  return total;
}

int64_t DeadlineFor(int64_t received_ms, int64_t amount, Unit unit, const HolidaySet& holidays) {
  int64_t minutes = unit == Unit::kWorkingDays ? amount * kWorkingDayMinutes : amount * 60;
  return AddWorkingMinutes(received_ms, minutes < 0 ? 0 : minutes, holidays);
}

}  // namespace q11::deadline
