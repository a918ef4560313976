// Handling deadlines in working time (docs/workflow.md, "Deadlines"). Pure: the caller
// gives the start, the amount and the holidays; no clock, no I/O.
//
// The working week is Monday to Friday; office hours are 07:30-11:30 and 13:00-17:00 in
// Asia/Ho_Chi_Minh (UTC+7, no daylight saving); public holidays (whole local days) are
// not worked. A working day is 8 working hours. The clock starts at the given instant
// (the server's receipt time): received outside office hours, it starts at the next
// opening. A deadline that uses up a period exactly ends at that period's close (11:30 or
// 17:00), not at the next opening.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

namespace q11::deadline {

inline constexpr int64_t kUtcOffsetMs = 7LL * 3600 * 1000;  // Asia/Ho_Chi_Minh
inline constexpr int64_t kWorkingDayMinutes = 8 * 60;

// Office periods, minutes after local midnight: [start, end).
struct OfficePeriod {
  int start_min, end_min;
};
inline constexpr OfficePeriod kOfficePeriods[] = {{7 * 60 + 30, 11 * 60 + 30}, {13 * 60, 17 * 60}};

// Local calendar days as days since 1970-01-01.
using HolidaySet = std::set<int64_t>;

// Days since 1970-01-01 of "YYYY-MM-DD"; nullopt when malformed or not a real date.
std::optional<int64_t> ParseDay(std::string_view text);

// How a category's deadline is counted.
enum class Unit { kWorkingHours, kWorkingDays };
// "working_hours" | "working_days"; nullopt otherwise.
std::optional<Unit> ParseUnit(std::string_view text);

// The instant (Unix ms, UTC) at which `working_minutes` of working time have passed since
// `start_ms`. REQUIRES: working_minutes >= 0.
int64_t AddWorkingMinutes(int64_t start_ms, int64_t working_minutes, const HolidaySet& holidays);

// The deadline of a case received at `received_ms` whose category allows `amount` units.
int64_t DeadlineFor(int64_t received_ms, int64_t amount, Unit unit, const HolidaySet& holidays);

// The working time, in whole milliseconds, between two instants (Unix ms, UTC): the part of
// [start_ms, end_ms) that falls in office periods of working days. 0 when end_ms <= start_ms.
// The inverse of AddWorkingMinutes: for start in office hours,
// WorkingMsBetween(s, AddWorkingMinutes(s, m)) == m minutes. Used by the monitoring figures
// (docs/monitoring.md) to measure time to accept and to resolve in working time.
int64_t WorkingMsBetween(int64_t start_ms, int64_t end_ms, const HolidaySet& holidays);

// True when local day `day` (days since 1970-01-01) is a working day.
bool IsWorkingDay(int64_t day, const HolidaySet& holidays);

}  // namespace q11::deadline
