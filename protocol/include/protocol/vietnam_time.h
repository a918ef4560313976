// Times as people in Quận 11 type and read them. The wire and the databases keep ISO-8601
// UTC (ids.h: FormatUtc, ParseUtc, strict on purpose); a person types a time in any
// ISO-8601 offset, or just the day of a deadline, and reads it in Vietnam time with the
// offset spelled out, so nobody has to guess which clock a line means.
//
// Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving): the offset is a constant
// (deadline::kUtcOffsetMs). Pure code: no clock, no time-zone database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace q11::vntime {

// A plain date typed for a deadline means the end of that working day in Vietnam:
// 17:00 (UTC+7), the close of the afternoon office period (docs/workflow.md). Weekends
// and holidays are not moved: the person chose the day.
inline constexpr int kEndOfWorkingDayMinutes = 17 * 60;

// Parses a time a person typed, returning Unix ms:
//   2026-12-10T17:00:00+07:00, 2026-12-10T10:00:00Z, 2026-12-10T17:00+0700,
//   2026-12-10 17:00:00.5+07 (a space for the T, seconds and fraction optional, the
//   offset as Z, ±HH, ±HHMM or ±HH:MM);
//   2026-12-10 (a plain date: kEndOfWorkingDayMinutes of that day, Vietnam time).
// nullopt when malformed, when a field is out of range (month 13, 24:00, Feb 30), or when
// the time has no offset: "17:00" alone could be either clock, so it is refused rather
// than guessed.
std::optional<int64_t> ParseTypedTime(std::string_view text);

// What ParseTypedTime accepts, for error messages, in English and Vietnamese.
inline constexpr const char* kTypedTimeHelp =
    "an ISO-8601 time with its offset (2026-12-10T17:00:00+07:00, 2026-12-10T10:00:00Z) or a "
    "date (2026-12-10 = 17:00 that day, Vietnam time) / thời điểm ISO-8601 có múi giờ "
    "(2026-12-10T17:00:00+07:00) hoặc ngày (2026-12-10 = 17:00 ngày đó, giờ Việt Nam)";

// "2026-12-10 17:00 (UTC+7)": Vietnam time to the minute, labelled. With `utc`:
// "2026-12-10 10:00 (UTC)".
std::string FormatForPeople(int64_t unix_ms, bool utc = false);

// FormatForPeople of a stored ISO-8601 UTC time; the text unchanged when it does not parse
// (an old or odd row is shown as it is rather than hidden), "-" when empty.
std::string ShowStored(std::string_view iso_utc, bool utc = false);

}  // namespace q11::vntime
